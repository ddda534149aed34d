/**
 * A Stratum miner's header, built the way cpuminer builds it: coinbase = coinb1 ‖ extranonce1 ‖
 * extranonce2 ‖ coinb2, Merkle root = the coinbase's SHA-256d folded up the branch (the coinbase is
 * always the left leaf), then the 80-byte header. The server checks every share with this, and
 * `carechain mine` makes its work with it, so both ends agree by construction; the test vectors pin
 * it to what real miners compute. Buffers are made once per job and reused for every share.
 */
import { hash } from 'node:crypto';

/** What a job fixes for every header: the fields of mining.notify, decoded. */
export interface StratumHeaderFields {
  /** Header order (mining.notify's prevhash with its words swapped back). */
  prevHash: Uint8Array;
  version: number;
  bits: number;
  /** Internal byte order, from the coinbase up. */
  merkleBranch: readonly Uint8Array[];
}

/** One coinbase for one job and extranonce1, with room for extranonce2 written in place per share. */
export class CoinbaseBuffer {
  readonly bytes: Buffer;
  readonly extranonce2Offset: number;

  constructor(coinb1: Uint8Array, extranonce1: Uint8Array, readonly extranonce2Size: number, coinb2: Uint8Array) {
    this.extranonce2Offset = coinb1.length + extranonce1.length;
    this.bytes = Buffer.alloc(this.extranonce2Offset + extranonce2Size + coinb2.length);
    this.bytes.set(coinb1, 0);
    this.bytes.set(extranonce1, coinb1.length);
    this.bytes.set(coinb2, this.extranonce2Offset + extranonce2Size);
  }

  /** extranonce2 from the submit's hex (exactly extranonce2Size bytes; checked by the caller). */
  setExtranonce2Hex(hex: string): void {
    this.bytes.write(hex, this.extranonce2Offset, this.extranonce2Size, 'hex');
  }

  /** extranonce2 as a counter in little-endian bytes, as cpuminer increments it (bytes past 4 stay 0). */
  setExtranonce2(counter: number): void {
    const at = this.extranonce2Offset;
    for (let i = 0; i < this.extranonce2Size; i++) this.bytes[at + i] = i < 4 ? (counter >>> (8 * i)) & 0xff : 0;
  }
}

const pair = Buffer.alloc(64);

/** SHA-256d with node:crypto's one-shot hash (no Hash object per call). */
export function sha256d(data: Uint8Array): Buffer {
  return hash('sha256', hash('sha256', data, 'buffer'), 'buffer');
}

/** The Merkle root for this coinbase: its hash folded with each branch hash, coinbase on the left. */
export function merkleRootFor(coinbase: Uint8Array, branch: readonly Uint8Array[]): Buffer {
  let root = sha256d(coinbase);
  for (const sibling of branch) {
    pair.set(root, 0);
    pair.set(sibling, 32);
    root = sha256d(pair);
  }
  return root;
}

/** A reusable 80-byte header with its DataView, so a share costs no allocation but the hashes. */
export class HeaderScratch {
  readonly bytes = Buffer.alloc(80);
  private readonly view = new DataView(this.bytes.buffer, this.bytes.byteOffset, 80);

  /** The header for this share, in this scratch's bytes (valid until the next call). */
  fill(fields: StratumHeaderFields, coinbase: Uint8Array, time: number, nonce: number, version: number): Buffer {
    const out = this.bytes;
    this.view.setUint32(0, version >>> 0, true);
    out.set(fields.prevHash, 4);
    out.set(merkleRootFor(coinbase, fields.merkleBranch), 36);
    this.view.setUint32(68, time >>> 0, true);
    this.view.setUint32(72, fields.bits >>> 0, true);
    this.view.setUint32(76, nonce >>> 0, true);
    return out;
  }
}
