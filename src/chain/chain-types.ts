import type { Block } from './block.js';
import type { PenaltyClass, RejectReason } from './errors.js';
import type { BlockHeader } from './header.js';
import type { MempoolLimits } from './mempool.js';
import type { Network, NetworkName } from './network.js';
import type { LedgerState } from './state.js';
import type { SignedTx, Transaction } from './tx.js';

/** Where a block came from: the local miner, a Stratum miner, a peer, or the HTTP API. */
export type BlockSource = 'miner' | 'stratum' | 'peer' | 'api';
export const BLOCK_SOURCES: readonly BlockSource[] = ['miner', 'stratum', 'peer', 'api'];

/** The Chain's options, results and events: what the node, HTTP routes and metrics program against. */
export interface ChainOptions {
  dataDir: string;
  /** A network or its name; default 'dev'. */
  network?: Network | NetworkName;
  /** The node's clock in seconds (tests pin it). */
  now?: () => number;
  mempool?: Partial<MempoolLimits>;
  /** Blocks whose undo data stays in memory; a deeper reorg rebuilds state from genesis. */
  undoWindow?: number;
  /** Decoded block bodies kept in memory (default 256); others are read back from the log. */
  bodyCache?: number;
  /** This node's fixed coinbase extranonce1 (u32); random when omitted. */
  extranonce1?: number;
  /** Blocks that may wait for validation before submitBlock answers `busy` (default 64). */
  submitQueue?: number;
}

/**
 * What submitBlock answers. `rejected` carries the penalty class of its reason for whoever sent the
 * block (the peer layer scores with it); `busy` means the submit queue is full: try again later.
 */
export type SubmitResult =
  | { status: 'accepted'; hash: string; height: number; outcome: 'new-tip' | 'side-branch' | 'reorg'; reorgDepth: number }
  | { status: 'duplicate'; hash: string }
  | { status: 'busy'; hash: string }
  | { status: 'rejected'; hash?: string; reason: RejectReason; message: string; penalty: PenaltyClass };

/** What submitHeaders answers: how many were new, and the best header chain known afterwards. */
export type HeadersResult =
  | { status: 'accepted'; added: number; best: BestHeader }
  | { status: 'rejected'; index: number; hash: string; added: number; reason: RejectReason; message: string; penalty: PenaltyClass; best: BestHeader };

export interface BestHeader {
  hash: string;
  height: number;
  totalWork: bigint;
}

/** Where a transaction entering the mempool came from: a client, a peer, the journal at start-up, or a block a reorg disconnected. */
export type TxOrigin = 'api' | 'peer' | 'journal' | 'reorg';

/** A transaction that passed every admission check (Chain.prepareTransaction), not yet in the mempool. */
export interface PreparedTx {
  tx: SignedTx;
  txid: string;
  /** Its encoding: what the journal writes. */
  bytes: Uint8Array;
  size: number;
  /** The state it was checked on, with it applied: what the next transaction in line is checked on. */
  after: LedgerState;
}

/** Where a transaction submitted to the node's one door (src/node/admission.ts) comes from. */
export type TxSource = 'api' | 'peer';

/** What the node's admission path answers; the peer layer maps it to gossip's accept / ignore / reject. */
export type AdmissionOutcome =
  | { status: 'accepted'; txid: string }
  /** Already pending or mined: nothing to do (a peer is not at fault). */
  | { status: 'known'; txid: string }
  | { status: 'rejected'; txid?: string; reason: RejectReason; message: string; penalty: PenaltyClass; minFeeRate?: number }
  /** The journal could not be written: nothing was admitted; try again later. */
  | { status: 'unavailable'; txid?: string; message: string; retryAfterSeconds: number };

/** The one door for transactions, as callers outside the node's wiring (the peer layer) see it. */
export interface TxAdmissionPort {
  admit(raw: Uint8Array, source: TxSource): Promise<AdmissionOutcome>;
}

export type AdmissionResult = { accepted: true; txid: string } | { accepted: false; txid?: string; reason: RejectReason; message: string };

export interface TipInfo {
  hash: string;
  height: number;
  header: BlockHeader;
  totalWork: bigint;
  difficulty: number;
  medianTimePast: number;
}

export interface BlockInfo {
  hash: string;
  height: number;
  block: Block;
  /** 0 for a block off the main chain. */
  confirmations: number;
  mainChain: boolean;
  totalWork: bigint;
}

export type TxInfo =
  | { txid: string; tx: Transaction; status: 'mined'; blockHash: string; height: number; index: number; confirmations: number }
  | { txid: string; tx: Transaction; status: 'pending' };

/** Events: 'tip' on every new tip (reorgDepth > 0 when blocks were disconnected), rejections with reasons. */
export interface ChainEvents {
  /** A block is stored (on disk): a new tip, a reorg or a side branch. Emitted before the 'tip' it causes. */
  block: [{ hash: string; height: number; outcome: 'new-tip' | 'side-branch' | 'reorg'; reorgDepth: number; source: BlockSource }];
  tip: [{ hash: string; height: number; previousHash: string; reorgDepth: number; time: number; difficulty: number }];
  'block-rejected': [{ hash?: string; reason: RejectReason; message: string; source: BlockSource }];
  /** A transaction entered the mempool (from the admission path, only once it is on disk). */
  'tx-accepted': [{ txid: string; origin: TxOrigin }];
  'tx-rejected': [{ txid?: string; reason: RejectReason; message: string }];
  /** A pending transaction made room for better payers (or needed one that did). */
  'tx-evicted': [{ txid: string; feeRate: number; lostTo: number; dependedOnEvicted: boolean }];
  /** A pending transaction no longer valid on a new tip (not mined: those simply leave). */
  'tx-dropped': [{ txid: string; tx: SignedTx; reason: RejectReason; message: string }];
}
