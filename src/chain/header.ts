import { Reader, Writer } from './codec.js';
import { sha256d } from './hash.js';

/** Bitcoin's 80-byte block header, little-endian fields, hashes in internal byte order. */
export interface BlockHeader {
  version: number;
  prevHash: Uint8Array;
  merkleRoot: Uint8Array;
  /** Seconds since the Unix epoch. */
  time: number;
  /** Compact target (see target.ts). */
  bits: number;
  nonce: number;
}

export const HEADER_BYTES = 80;
/** Offset of the nonce inside an encoded header: miners write bytes 76..79. */
export const NONCE_OFFSET = 76;

export function encodeHeader(h: BlockHeader): Uint8Array {
  return new Writer(HEADER_BYTES)
    .u32(h.version)
    .bytes(h.prevHash)
    .bytes(h.merkleRoot)
    .u32(h.time)
    .u32(h.bits)
    .u32(h.nonce)
    .finish();
}

export function decodeHeader(bytes: Uint8Array): BlockHeader {
  const r = new Reader(bytes);
  if (bytes.length !== HEADER_BYTES) r.fail(`a header is ${HEADER_BYTES} bytes, got ${bytes.length}`);
  const header = readHeader(r);
  r.end();
  return header;
}

export function readHeader(r: Reader): BlockHeader {
  return { version: r.u32(), prevHash: r.bytes(32), merkleRoot: r.bytes(32), time: r.u32(), bits: r.u32(), nonce: r.u32() };
}

/** The block hash: SHA-256d of the encoded header (internal byte order). */
export function headerHash(h: BlockHeader): Uint8Array {
  return sha256d(encodeHeader(h));
}
