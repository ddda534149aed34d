import type {
  AccessLogPage,
  AccountView,
  AuditEntryView,
  BlockSummary,
  BlockView,
  ConsentCheck,
  ConsentDetail,
  MempoolView,
  DisconnectView,
  MiningSummary,
  NodeStatus,
  PeerSummary,
  PeersView,
  Receipt,
  RecordView,
  StratumView,
  SubjectConsents,
  TransactionLookup,
} from './response-schemas.js';

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
  /** Best-chain headers from `fromHeight` up, at most `count`, as concatenated 80-byte headers (fewer at the tip). */
  listHeaders(fromHeight: number, count: number): Awaitable<Uint8Array>;
  /**
   * A transaction in a best-chain block, in the mempool, or held; null when unknown. Throws a 410
   * HttpProblem (`evicted`, `dropped`) for one the node acknowledged and no longer holds.
   */
  getTransaction(txid: string): Awaitable<TransactionLookup | null>;
  /** Validates and adds to the mempool; resolves only once the node has accepted (or refused) it. */
  submitTransaction(raw: Uint8Array): Awaitable<SubmitOutcome>;
  /** src/chain's Receipt; null when the transaction is not in a best-chain block. */
  getReceipt(txid: string): Awaitable<Receipt | null>;
  mempool(): Awaitable<MempoolView>;
  /** `key` is an Ed25519 public key, 64 lowercase hex digits; null (404) or a zero account when unseen. */
  getAccount(key: string): Awaitable<AccountView | null>;
  getRecord(txid: string): Awaitable<RecordView | null>;
  /** The audit trail of one pseudonymous subject (records, amendments, custody), oldest first; empty when none. */
  subjectTrail(pseudonym: string): Awaitable<AuditEntryView[]>;
  /** The subject's enrolment and every consent granted for it, with their status at the point. */
  subjectConsents(pseudonym: string, at: ConsentPointQuery): Awaitable<SubjectConsents>;
  getConsent(txid: string, at: ConsentPointQuery): Awaitable<ConsentDetail | null>;
  /** May `grantee` do `action` on the subject's records of `type` (for `purpose`) at the point? */
  checkConsent(query: ConsentCheckRequest): Awaitable<ConsentCheck>;
  /** A page of the subject's access log, newest first: `limit` entries older than position `before`. */
  accessLog(pseudonym: string, page: { limit: number; before?: number }): Awaitable<AccessLogPage>;
  mining(): Awaitable<MiningSummary>;
  /** The Stratum server's sessions (enabled: false without one). */
  stratum(): Awaitable<StratumView>;
  pauseMining(): Awaitable<void>;
  resumeMining(): Awaitable<void>;
  /** Throw an HttpProblem (e.g. 422) for a count the node will not run. */
  setThreads(threads: number): Awaitable<void>;
  /** The Prometheus exposition text (NodeMetrics.metricsText and .contentType). */
  metrics(): Awaitable<{ contentType: string; body: string }>;
  /** This node's peer identity, its connected peers and the bans in force. */
  peers(): Awaitable<PeersView>;
  /** Dial a peer and keep it connected (lifting a ban on it); 400 bad address, 409 no p2p, 502 unreachable. */
  connectPeer(addr: string): Awaitable<PeerSummary>;
  /** Goodbye and hang up, and ban for `banSeconds` when given; 404 when not connected and no ban asked. */
  disconnectPeer(id: string, banSeconds?: number): Awaitable<DisconnectView>;
}

export type Awaitable<T> = T | Promise<T>;

export type BlockId = { height: number } | { hash: string };

/** Unset fields default to the next block: tip height + 1, and its earliest time. */
export interface ConsentPointQuery {
  time?: number;
  height?: number;
}

export interface ConsentCheckRequest extends ConsentPointQuery {
  subject: string;
  grantee: string;
  action: 'read' | 'append' | 'amend';
  resourceType: string;
  purpose?: string;
}

export type SubmitOutcome =
  | { accepted: true; txid: string }
  /**
   * `reason` is the chain's stable reject code (VerifyError.reason, e.g. `bad-signature`), or
   * `storage-unavailable` when the node could not write it to disk (with retryAfterSeconds);
   * `extensions` are added to the problem (e.g. the current `minFeeRate`).
   */
  | { accepted: false; reason: string; detail: string; retryAfterSeconds?: number; extensions?: Record<string, unknown> };

/**
 * HTTP status per reject code where it is not 422 (a well-formed transaction that breaks a rule).
 * The code itself becomes the problem type's slug, so clients switch on the chain's own reasons.
 */
export const TX_REJECTION_STATUS: Readonly<Record<string, number>> = {
  malformed: 400, // does not decode
  'malformed-tx': 400,
  duplicate: 409, // already in the chain
  'already-in-mempool': 409,
  'already-mined': 409,
  'mempool-full': 503, // try again later
  'storage-unavailable': 503, // the node could not write it to disk: nothing was admitted
};
