import type { MiningWork } from '../miner/job.js';
import type { Block } from './block.js';
import { encodeHeader, type BlockHeader } from './header.js';
import { fromHex, sha256d, toHex } from './hash.js';
import { merklePath, rootFromPath } from './merkle.js';
import { bitsToTarget, targetToBytes } from './target.js';
import { COINBASE_LAYOUT, encodeTx, txid, type CoinbaseTx, type SignedTx } from './tx.js';

export interface TemplateFields {
  version: number;
  prevHash: Uint8Array;
  height: number;
  bits: number;
  time: number;
  /** Transactions after the coinbase, in block order. */
  txs: SignedTx[];
  /** Their txids (internal byte order), when the caller knows them; computed from `txs` otherwise. */
  txids?: readonly Uint8Array[];
  /** Subsidy + the fees of `txs`: the coinbase claims exactly this. */
  coinbaseValue: number;
  recipient: Uint8Array;
  /** The node's own; a Stratum session brings its own (BlockOptions.extranonce1). */
  extranonce1: number;
}

/** What a miner other than the local pool may choose: its extranonce1, a rolled ntime, rolled version bits. */
export interface BlockOptions {
  extranonce1?: number;
  time?: number;
  version?: number;
}

/** The Stratum v1 split of the coinbase: coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2, and the coinbase's Merkle branch. */
export interface StratumParts {
  coinb1: Uint8Array;
  coinb2: Uint8Array;
  /** Sibling hashes from the coinbase up, internal byte order. */
  merkleBranch: readonly Uint8Array[];
}

/** A job for every kind of miner, as the node's job publisher hands it out. */
export interface PublishedJob {
  id: number;
  /** Paying the node's coinbase key; a Stratum session mines `template.forRecipient(its key)`. */
  template: BlockTemplate;
  /** True when the tip moved since the last job: older work cannot make a best-chain block. */
  clean: boolean;
}

/**
 * A block to mine on the current tip. Rolling extranonce2 makes a new coinbase and so a new Merkle
 * root, computed from the coinbase's fixed Merkle branch (the other txids never change).
 */
export class BlockTemplate implements MiningWork {
  readonly target: Uint8Array;
  readonly targetValue: bigint;
  readonly height: number;
  /** The coinbase's Merkle branch: the same for every coinbase, whoever it pays. */
  readonly branch: readonly Uint8Array[];

  constructor(readonly fields: TemplateFields, branch?: readonly Uint8Array[]) {
    this.height = fields.height;
    this.targetValue = bitsToTarget(fields.bits);
    this.target = targetToBytes(this.targetValue);
    // The coinbase sits at index 0, so its Merkle path does not depend on the coinbase itself.
    this.branch = branch ?? merklePath([new Uint8Array(32), ...(fields.txids ?? fields.txs.map(txid))], 0);
  }

  /** The same block paying `recipient` (hex or bytes): the transactions and their branch are shared, not rebuilt. */
  forRecipient(recipient: string | Uint8Array): BlockTemplate {
    const bytes = typeof recipient === 'string' ? fromHex(recipient, 32) : recipient;
    if (bytes.length !== 32) throw new RangeError('a recipient is a 32-byte public key');
    return new BlockTemplate({ ...this.fields, recipient: bytes }, this.branch);
  }

  coinbaseFor(extranonce2: number, extranonce1 = this.fields.extranonce1): CoinbaseTx {
    checkU32('extranonce2', extranonce2);
    checkU32('extranonce1', extranonce1);
    const f = this.fields;
    return { kind: 'coinbase', height: f.height, recipient: f.recipient, extranonce1, extranonce2, value: f.coinbaseValue };
  }

  /** MiningWork: the header for extranonce2 = k with this node's extranonce1; nonce bytes left 0. */
  headerFor(extranonce2: number): Uint8Array {
    return encodeHeader(this.header(this.coinbaseFor(extranonce2), 0, {}));
  }

  /** The full block to submit once `nonce` solves the header for `extranonce2` (and the miner's options). */
  blockFor(extranonce2: number, nonce: number, options: BlockOptions = {}): Block {
    const coinbase = this.coinbaseFor(extranonce2, options.extranonce1);
    return { header: this.header(coinbase, nonce, options), txs: [coinbase, ...this.fields.txs] };
  }

  /** The coinbase split where Stratum needs it (see COINBASE_LAYOUT), plus the Merkle branch. */
  stratumParts(): StratumParts {
    const bytes = encodeTx(this.coinbaseFor(0));
    return {
      coinb1: bytes.slice(0, COINBASE_LAYOUT.extranonce1),
      coinb2: bytes.slice(COINBASE_LAYOUT.value),
      merkleBranch: this.branch,
    };
  }

  /** stratumParts() as hex, with this node's extranonce1 as the coinbase holds it. */
  stratum(): { coinb1: string; extranonce1: string; coinb2: string; merkleBranch: string[] } {
    const bytes = encodeTx(this.coinbaseFor(0));
    return {
      coinb1: toHex(bytes.subarray(0, COINBASE_LAYOUT.extranonce1)),
      extranonce1: toHex(bytes.subarray(COINBASE_LAYOUT.extranonce1, COINBASE_LAYOUT.extranonce2)),
      coinb2: toHex(bytes.subarray(COINBASE_LAYOUT.value)),
      merkleBranch: this.branch.map(toHex),
    };
  }

  private header(coinbase: CoinbaseTx, nonce: number, options: BlockOptions): BlockHeader {
    const f = this.fields;
    const time = options.time ?? f.time;
    const version = options.version ?? f.version;
    checkU32('time', time);
    checkU32('version', version);
    const merkleRoot = rootFromPath(sha256d(encodeTx(coinbase)), 0, [...this.branch]);
    return { version, prevHash: f.prevHash, merkleRoot, time, bits: f.bits, nonce: nonce >>> 0 };
  }
}

function checkU32(name: string, value: number): void {
  if (!Number.isInteger(value) || value < 0 || value >= 2 ** 32) {
    throw new RangeError(`${name} must be an integer in [0, 2^32), got ${value}`);
  }
}
