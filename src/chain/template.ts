import type { Block } from './block.js';
import { encodeHeader, type BlockHeader } from './header.js';
import { toHex, sha256d } from './hash.js';
import { merklePath, rootFromPath } from './merkle.js';
import { bitsToTarget, targetToBytes } from './target.js';
import { encodeTx, txid, type CoinbaseTx, type SignedTx } from './tx.js';

/** The miner's view of a job. */
export interface MiningWork {
  /** 32 bytes, little-endian 256-bit target. */
  target: Uint8Array;
  /** 80-byte header for extranonce2 = k (0 ≤ k < 2^32): new coinbase → new Merkle root; nonce bytes 76..79 left 0. */
  headerFor(extranonce: number): Uint8Array;
}

export interface TemplateFields {
  version: number;
  prevHash: Uint8Array;
  height: number;
  bits: number;
  time: number;
  /** Transactions after the coinbase, in block order. */
  txs: SignedTx[];
  /** Subsidy + the fees of `txs`: the coinbase claims exactly this. */
  coinbaseValue: number;
  recipient: Uint8Array;
  /** Fixed per node; extranonce2 is the miner's roll counter. */
  extranonce1: number;
}

/**
 * A block to mine on the current tip. Rolling extranonce2 makes a new coinbase and so a new Merkle
 * root, computed from the coinbase's fixed Merkle branch (the other txids never change).
 */
export class BlockTemplate implements MiningWork {
  readonly target: Uint8Array;
  readonly targetValue: bigint;
  readonly height: number;
  private readonly branch: Uint8Array[];

  constructor(readonly fields: TemplateFields) {
    this.height = fields.height;
    this.targetValue = bitsToTarget(fields.bits);
    this.target = targetToBytes(this.targetValue);
    // The coinbase sits at index 0, so its Merkle path does not depend on the coinbase itself.
    this.branch = merklePath([new Uint8Array(32), ...fields.txs.map(txid)], 0);
  }

  coinbaseFor(extranonce: number): CoinbaseTx {
    if (!Number.isInteger(extranonce) || extranonce < 0 || extranonce >= 2 ** 32) {
      throw new RangeError(`extranonce2 must be an integer in [0, 2^32), got ${extranonce}`);
    }
    const f = this.fields;
    return { kind: 'coinbase', height: f.height, recipient: f.recipient, extranonce1: f.extranonce1, extranonce2: extranonce, value: f.coinbaseValue };
  }

  headerFor(extranonce: number): Uint8Array {
    return encodeHeader(this.header(extranonce, 0));
  }

  /** The full block to submit once `nonce` solves the header for `extranonce`. */
  blockFor(extranonce: number, nonce: number): Block {
    const coinbase = this.coinbaseFor(extranonce);
    return { header: this.header(extranonce, nonce, coinbase), txs: [coinbase, ...this.fields.txs] };
  }

  /** The Stratum v1 split: coinbase = coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2, plus the Merkle branch. */
  stratum(): { coinb1: string; extranonce1: string; coinb2: string; merkleBranch: string[] } {
    const bytes = encodeTx(this.coinbaseFor(0));
    // kind(1) + height(4) + recipient(32) = 37 bytes before extranonce1; value (8 bytes) after extranonce2.
    return {
      coinb1: toHex(bytes.subarray(0, 37)),
      extranonce1: toHex(bytes.subarray(37, 41)),
      coinb2: toHex(bytes.subarray(45)),
      merkleBranch: this.branch.map(toHex),
    };
  }

  private header(extranonce: number, nonce: number, coinbase = this.coinbaseFor(extranonce)): BlockHeader {
    const f = this.fields;
    const merkleRoot = rootFromPath(sha256d(encodeTx(coinbase)), 0, this.branch);
    return { version: f.version, prevHash: f.prevHash, merkleRoot, time: f.time, bits: f.bits, nonce: nonce >>> 0 };
  }
}
