import { z } from 'zod';
import { MAX_RECEIPT_HEADERS } from '../chain/receipt.js';

/**
 * The JSON the API returns, as zod schemas: the NodeApi types are inferred from them and
 * /openapi.json is generated from them, so the description cannot drift from the code.
 */
const hash = z.string().regex(/^[0-9a-f]{64}$/).describe('32 bytes, lowercase hex (hashes in display order)');
const hex = z.string().regex(/^([0-9a-f]{2})*$/).describe('bytes, lowercase hex');
const rateWindows = z
  .object({ '10s': z.number().nullable(), '60s': z.number().nullable(), '15m': z.number().nullable() })
  .describe('hashes per second; null until the window is full');
const blockRef = z.object({ hash, height: z.number().int() });

export const nodeStatusView = z.object({
  network: z.string(),
  height: z.number().int(),
  tip: hash,
  tipTime: z.number().int().describe('unix seconds'),
  lastBlockAgeSeconds: z.number().nullable(),
  difficulty: z.number(),
  bits: z.string().describe('compact target, 8 hex digits'),
  hashrate: rateWindows,
  mining: z.object({ paused: z.boolean(), threads: z.number().int() }),
  mempool: z.object({
    transactions: z.number().int(),
    bytes: z.number().int(),
    minFeeRate: z.number().describe('fee per byte a new transaction must pay now (rises when the pool is full, decays back)'),
    held: z.number().int().describe('acknowledged transactions waiting to become valid again (not in the pool)'),
  }),
  storage: z.object({ journal: z.enum(['ok', 'failing']).describe('failing: submissions answer 503 storage-unavailable until a write works again') }),
  uptimeSeconds: z.number(),
  peers: z.number().int().optional().describe('connected peers; absent with --no-p2p'),
  sync: z
    .object({
      state: z.enum(['syncing', 'synced']),
      bestHeaderHeight: z.number().int().describe('height of the most-work header chain known, bodies or not'),
      blocksRemaining: z.number().int(),
      blocksPerSecond: z.number().nullable(),
      etaSeconds: z.number().nullable(),
    })
    .optional()
    .describe('absent with --no-p2p'),
});

export const blockSummaryView = z.object({
  hash,
  height: z.number().int(),
  time: z.number().int(),
  txCount: z.number().int(),
  size: z.number().int(),
});

export const blockPageView = z.object({
  tipHeight: z.number().int(),
  blocks: z.array(blockSummaryView).describe('ascending height'),
});

export const blockView = z.object({
  hash,
  height: z.number().int(),
  confirmations: z.number().int(),
  size: z.number().int(),
  header: z.object({
    version: z.number().int(),
    prevHash: hash,
    merkleRoot: hash,
    time: z.number().int(),
    bits: z.string(),
    nonce: z.number().int(),
  }),
  txids: z.array(hash),
});

/** Coinbase, transfer, record and custody transactions differ: the common fields are fixed, the rest per kind. */
export const transactionView = z.looseObject({ txid: hash, kind: z.string(), size: z.number().int() });

export const transactionLookupView = z.object({
  tx: transactionView,
  block: blockRef.nullable().describe('null while in the mempool'),
  confirmations: z.number().int(),
  held: z
    .object({ reason: z.string(), since: z.number().describe('unix ms') })
    .optional()
    .describe('set when the node holds it outside the mempool until it can apply again (its funds or its predecessor not there yet)'),
});

export const submittedView = z.object({ txid: hash });

/** src/chain/receipt.ts's Receipt (version 2), served as is: `carechain verify` checks it offline. */
const pathView = z.array(hash).describe('sibling hashes from the leaf up, internal byte order');
export const receiptView = z.looseObject({
  version: z.literal(2),
  network: z.string(),
  txid: hash,
  tx: hex.describe('the encoded transaction'),
  index: z.number().int().describe("the transaction's position in the block; its bits say left or right"),
  merklePath: pathView,
  txCount: z.number().int().describe("transactions in the block, proven by the last one's path"),
  lastTx: z.object({ txid: hash, merklePath: pathView }),
  coinbase: z.object({ tx: hex.describe('the encoded coinbase, which names the height'), merklePath: pathView }),
  blockHash: hash,
  height: z.number().int(),
  header: hex.describe('the 80-byte block header'),
  headers: z.array(hex).max(MAX_RECEIPT_HEADERS).describe(`the 80-byte headers after the block up to the tip at issue time, oldest first (at most ${MAX_RECEIPT_HEADERS})`),
  confirmations: z.number().int().describe("the node's count at issue time; proven by the headers carried on top"),
});

export const mempoolView = z.object({
  transactions: z.number().int(),
  bytes: z.number().int(),
  minFeeRate: z.number().describe('fee per byte a new transaction must pay now'),
  /** From src/chain's MempoolEntry, highest fee rate first. */
  entries: z.array(
    z.looseObject({
      txid: hash,
      kind: z.string(),
      size: z.number().int(),
      fee: z.number(),
      feeRate: z.number().describe('fee per byte'),
      sender: hash,
      addedAt: z.number().describe('unix ms'),
    }),
  ),
});

export const accountView = z.object({
  key: hash,
  balance: z.number().describe('confirmed balance, coinbase rewards not yet mature included'),
  spendable: z.number().describe('what a transaction in the next block may spend'),
  immature: z.number().describe('coinbase rewards short of the network\'s maturity: in the balance, not yet spendable'),
  sequence: z.number().int().describe('the confirmed sequence'),
  pendingSequence: z.number().int().describe('the next sequence to sign, counting the mempool'),
});

/** A record anchor as the ledger state holds it (src/chain/state.ts, RecordState). */
export const recordView = z.looseObject({
  txid: hash,
  provider: hash.describe('public key that signed the record'),
  owner: hash.describe('public key that may amend it or hand it on now'),
  subject: hash.describe('pseudonymous subject id (an HMAC held by the provider)'),
  resourceType: z.string().describe('FHIR resource name'),
  commitment: hash.describe('SHA-256(salt ‖ document)'),
  locator: z.string(),
  previous: z.object({ txid: hash, relation: z.enum(['replaces', 'appends']) }).optional(),
  amendments: z.array(hash).describe('records amending this one, oldest first'),
  replacedBy: hash.optional(),
  custody: z.array(z.object({ txid: hash, from: hash, to: hash, height: z.number().int() })),
  height: z.number().int(),
  time: z.number().int(),
});

/** One event of a subject's audit trail (src/chain/state.ts, AuditEntry). */
export const auditEntryView = z.looseObject({
  txid: hash,
  kind: z.enum(['record', 'amendment', 'custody']),
  record: hash.describe('the record the event concerns'),
  actor: hash,
  resourceType: z.string(),
  height: z.number().int(),
  time: z.number().int(),
  consent: hash.optional().describe("an amendment by a provider who does not own the record: the patient's consent it relied on"),
});

export const subjectTrailView = z.object({ subject: hash, trail: z.array(auditEntryView).describe('oldest first') });

/** Where consents are judged: a height (grants and revocations up to it count) and a time (unix s, for expiry). */
export const consentPointView = z.object({ height: z.number().int(), time: z.number().int() });

/** A subject pseudonym linked to a patient key (src/chain/consent-store.ts, Enrolment). */
export const enrolmentView = z.object({
  subject: hash,
  patient: hash.describe("the patient's public key: it alone grants and revokes consents for the subject"),
  provider: hash.describe('the provider that enrolled the subject'),
  txid: hash,
  height: z.number().int(),
  time: z.number().int(),
});

/** A consent as granted, its revocation, and its status at the point asked for. */
export const consentView = z.object({
  txid: hash,
  subject: hash,
  patient: hash,
  grantee: hash.describe('the provider key it is for'),
  actions: z.array(z.enum(['read', 'append', 'amend'])),
  resourceTypes: z.array(z.string()).describe('FHIR resource names; empty: every type'),
  purposes: z.array(z.string()).describe('v3 ActReason purpose-of-use codes; empty: any purpose'),
  expiry: z
    .object({ by: z.enum(['time', 'height']), at: z.number().int() })
    .nullable()
    .describe('active while the time (unix s) or height is below `at`; null: until revoked'),
  granted: z.object({ height: z.number().int(), time: z.number().int() }),
  revoked: z.object({ txid: hash, height: z.number().int(), time: z.number().int() }).nullable(),
  status: z.enum(['active', 'expired', 'revoked', 'pending']).describe('at the point asked for; pending: granted above its height'),
});

export const consentDetailView = z.object({ at: consentPointView, consent: consentView });

export const subjectConsentsView = z.object({
  subject: hash,
  enrolment: enrolmentView.nullable(),
  at: consentPointView,
  consents: z.array(consentView).describe('oldest first, active and past'),
});

/** What a document server asks before it serves a file: may this provider do this, now? */
export const consentCheckView = z.object({
  allowed: z.boolean(),
  consent: hash.nullable().describe('the consent that allows it, or the newest covering one that expired or was revoked'),
  reason: z.enum(['not-enrolled', 'no-consent', 'consent-expired', 'consent-revoked']).nullable(),
  detail: z.string(),
  at: consentPointView,
});

/** One logged read (src/chain/consent-store.ts, AccessEntry). */
export const accessEntryView = z.object({
  txid: hash,
  provider: hash,
  record: hash,
  resourceType: z.string(),
  purpose: z.string(),
  consent: hash.nullable().describe("null for the owner's reads and for break-glass"),
  breakGlass: z.boolean().describe('an emergency read (ETREAT) no consent covered'),
  height: z.number().int(),
  time: z.number().int(),
});

export const accessLogView = z.object({
  subject: hash,
  total: z.number().int(),
  entries: z.array(accessEntryView).describe('newest first'),
  next: z.number().int().nullable().describe('pass as `before` for the next (older) page; null at the end'),
});

/** Shaped like xmrig's /2/summary, so its habits carry over: [10 s, 60 s, 15 min] rate triples. */
export const miningSummaryView = z.object({
  paused: z.boolean(),
  threads: z.number().int(),
  kernel: z.string().describe('e.g. simd or scalar'),
  hashrate: z.object({
    total: z.tuple([z.number().nullable(), z.number().nullable(), z.number().nullable()]),
    highest: z.number().nullable(),
    threads: z.array(z.tuple([z.number().nullable(), z.number().nullable(), z.number().nullable()])),
  }),
  hashesTotal: z.number(),
  blocksFound: z.number().int(),
  job: z
    .object({
      id: z.string(),
      height: z.number().int().nullable().describe('null for a pool\'s job (carechain mine does not know it)'),
      target: hash.describe('the target the workers hash against: the block target, or a pool\'s share target'),
      bits: z.string(),
      difficulty: z.number(),
    })
    .nullable(),
  uptimeSeconds: z.number(),
});

/** `carechain mine --http-port`'s /status: the pool connection, its shares and the hash rate. */
export const minerStatusView = z.object({
  pool: z.object({
    url: z.string().nullable().describe('the pool mined now, null while connecting'),
    connected: z.boolean(),
    difficulty: z.number().nullable(),
    jobId: z.string().nullable(),
    reconnects: z.number().int(),
  }),
  shares: z.object({
    accepted: z.number().int(),
    rejected: z.number().int(),
    acceptedDifficulty: z.number(),
    blocksFound: z.number().int(),
    lastShareAt: z.number().nullable().describe('unix ms'),
  }),
  hashrate: rateWindows,
  threads: z.number().int(),
  uptimeSeconds: z.number(),
});

/** The node's Stratum server: one entry per connection (src/stratum/session.ts, StratumSessionView). */
export const stratumView = z.object({
  enabled: z.boolean().describe('false with --no-stratum'),
  url: z.string().nullable().describe('stratum+tcp://host:port'),
  hashrate: z.number().describe('hashes per second behind every session\'s accepted shares'),
  sessions: z.array(
    z.object({
      worker: z.string().nullable().describe('the username it authorized with (payout key[.worker]); null before'),
      address: z.string(),
      extranonce1: z.string().nullable().describe('hex, as in the coinbase'),
      difficulty: z.number().describe('share difficulty in force'),
      sharesAccepted: z.number().int(),
      sharesRejected: z.number().int(),
      hashrate: z.number().nullable().describe('hashes per second estimated from accepted share difficulty; null before the first share'),
      lastShareAt: z.number().int().nullable().describe('unix seconds'),
      connectedAt: z.number().int().describe('unix seconds'),
      userAgent: z.string().nullable(),
    }),
  ),
});

export const healthView = z.object({ status: z.literal('ok') });

export const peerView = z.object({
  id: z.string().describe('libp2p peer id'),
  addresses: z.array(z.string()).describe('multiaddrs of the connection'),
  direction: z.enum(['inbound', 'outbound']),
  score: z.number().describe('application score, -100..100; disconnected at -20, banned at -50'),
  tipHeight: z.number().int().nullable().describe("the peer's last known tip height"),
  latencyMs: z.number().nullable(),
  since: z.string().describe('ISO time the connection opened'),
});

export const peersView = z.object({
  enabled: z.boolean().describe('false with --no-p2p'),
  id: z.string().nullable().describe("this node's peer id"),
  addresses: z.array(z.string()).describe('multiaddrs other nodes pass to --peer'),
  peers: z.array(peerView),
  banned: z.array(z.object({ id: z.string(), until: z.string().describe('ISO time the ban ends'), reason: z.string() })),
});

export const disconnectView = z.object({
  disconnected: z.boolean().describe('whether the peer was connected'),
  bannedUntil: z.string().nullable().describe('ISO time the ban ends, when one was asked for'),
});

export type NodeStatus = z.infer<typeof nodeStatusView>;
export type BlockSummary = z.infer<typeof blockSummaryView>;
export type BlockPage = z.infer<typeof blockPageView>;
export type BlockView = z.infer<typeof blockView>;
export type TransactionView = z.infer<typeof transactionView>;
export type TransactionLookup = z.infer<typeof transactionLookupView>;
export type Receipt = z.infer<typeof receiptView>;
export type MempoolView = z.infer<typeof mempoolView>;
export type AccountView = z.infer<typeof accountView>;
export type RecordView = z.infer<typeof recordView>;
export type AuditEntryView = z.infer<typeof auditEntryView>;
export type SubjectTrail = z.infer<typeof subjectTrailView>;
export type MiningSummary = z.infer<typeof miningSummaryView>;
export type StratumView = z.infer<typeof stratumView>;
export type MinerStatus = z.infer<typeof minerStatusView>;
export type ConsentPointView = z.infer<typeof consentPointView>;
export type EnrolmentView = z.infer<typeof enrolmentView>;
export type ConsentView = z.infer<typeof consentView>;
export type ConsentDetail = z.infer<typeof consentDetailView>;
export type SubjectConsents = z.infer<typeof subjectConsentsView>;
export type ConsentCheck = z.infer<typeof consentCheckView>;
export type AccessEntryView = z.infer<typeof accessEntryView>;
export type AccessLogPage = z.infer<typeof accessLogView>;
export type PeerSummary = z.infer<typeof peerView>;
export type PeersView = z.infer<typeof peersView>;
export type DisconnectView = z.infer<typeof disconnectView>;
