import type {
  AccountView,
  BlockSummary,
  BlockView,
  MempoolView,
  MiningSummary,
  NodeStatus,
  Receipt,
  RecordView,
  TransactionLookup,
} from './views.js';

/**
 * Everything the HTTP routes need from the node. src/node.ts implements it over the chain, the
 * mempool and the miner; tests implement it with a fake. Any method may throw an HttpProblem to
 * answer with a specific problem; any other throw becomes a 500 and the node keeps running.
 */
export interface NodeApi {
  status(): Awaitable<NodeStatus>;
  /** Blocks of the best chain from `fromHeight` up, at most `limit`, ascending. */
  listBlocks(fromHeight: number, limit: number): Awaitable<BlockSummary[]>;
  getBlock(id: BlockId): Awaitable<BlockView | null>;
  /** The block's serialization as stored. */
  getRawBlock(id: BlockId): Awaitable<Uint8Array | null>;
  /** A transaction in a best-chain block or in the mempool. */
  getTransaction(txid: string): Awaitable<TransactionLookup | null>;
  /** Validates and adds to the mempool; resolves only once the node has accepted (or refused) it. */
  submitTransaction(raw: Uint8Array): Awaitable<SubmitOutcome>;
  /** Null when the transaction is not in a best-chain block. */
  getReceipt(txid: string): Awaitable<Receipt | null>;
  mempool(): Awaitable<MempoolView>;
  /** `key` is an Ed25519 public key, 64 lowercase hex digits; null when the node never saw it. */
  getAccount(key: string): Awaitable<AccountView | null>;
  getRecord(txid: string): Awaitable<RecordView | null>;
  /** The audit trail of one pseudonymous subject, oldest first; empty when none. */
  subjectRecords(pseudonym: string): Awaitable<RecordView[]>;
  mining(): Awaitable<MiningSummary>;
  pauseMining(): Awaitable<void>;
  resumeMining(): Awaitable<void>;
  /** Throw an HttpProblem (e.g. 422) for a count the node will not run. */
  setThreads(threads: number): Awaitable<void>;
  /** The Prometheus exposition text (NodeMetrics.metricsText and .contentType). */
  metrics(): Awaitable<{ contentType: string; body: string }>;
}

export type Awaitable<T> = T | Promise<T>;

export type BlockId = { height: number } | { hash: string };

export type SubmitOutcome =
  | { accepted: true; txid: string }
  | { accepted: false; reason: TxRejectionReason; detail: string };

/**
 * Why the node refuses a transaction: each is a problem `type` slug and a status. The chain's own
 * errors map onto these in src/node.ts.
 */
export const TX_REJECTION_STATUS = {
  malformed: 400, // does not decode
  'wrong-network': 422,
  'bad-signature': 422,
  'bad-sequence': 422, // replay or gap in the account's sequence
  'insufficient-funds': 422,
  'fee-too-low': 422,
  'not-record-owner': 422, // amending or handing on a record one does not own
  'unknown-record': 422,
  invalid: 422, // any other consensus rule
  duplicate: 409, // already in the mempool or the chain
  'mempool-full': 503,
} as const;

export type TxRejectionReason = keyof typeof TX_REJECTION_STATUS;
