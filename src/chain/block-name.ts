import { Reader } from './codec.js';
import { decodeHeader, HEADER_BYTES, headerHash } from './header.js';
import { toDisplayHex } from './hash.js';
import type { BlockName } from '../store/log-recovery.js';

/** The coinbase's kind byte on the wire (tx.ts): kind | height u32 | recipient | … */
const COINBASE_KIND = 0;

/**
 * Name the block in bytes cut off the log, as far as they reached the disk: the hash from the
 * 80-byte header, the height from the coinbase when its first fields are there. Bytes that are
 * too short for a header name nothing.
 */
export function nameLoggedBlock(payload: Uint8Array): BlockName | undefined {
  if (payload.length < HEADER_BYTES) return undefined;
  const hash = toDisplayHex(headerHash(decodeHeader(payload.subarray(0, HEADER_BYTES))));
  const height = coinbaseHeight(payload.subarray(HEADER_BYTES));
  return height === undefined ? { hash } : { hash, height };
}

function coinbaseHeight(body: Uint8Array): number | undefined {
  try {
    const r = new Reader(body);
    if (r.u32() === 0 || r.u8() !== COINBASE_KIND) return undefined; // transaction count, then the first one's kind
    return r.u32();
  } catch {
    return undefined;
  }
}
