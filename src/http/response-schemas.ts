import { z } from 'zod';

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
  mempool: z.object({ transactions: z.number().int(), bytes: z.number().int() }),
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
});

export const submittedView = z.object({ txid: hash });

/** src/chain/receipt.ts's Receipt, served as is: `carechain verify` checks it offline. */
export const receiptView = z.looseObject({
  version: z.literal(1),
  network: z.string(),
  txid: hash,
  tx: hex.describe('the encoded transaction'),
  blockHash: hash,
  height: z.number().int(),
  index: z.number().int().describe("the transaction's position in the block; its bits say left or right"),
  merklePath: z.array(hash).describe('sibling hashes from the leaf up, internal byte order'),
  header: hex.describe('the 80-byte block header'),
  confirmations: z.number().int().describe("the node's word at issue time, not proven by the receipt"),
});

export const mempoolView = z.object({
  transactions: z.number().int(),
  bytes: z.number().int(),
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

export const accountView = z.object({ key: hash, balance: z.number(), sequence: z.number().int() });

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
});

export const subjectTrailView = z.object({ subject: hash, trail: z.array(auditEntryView).describe('oldest first') });

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
  job: z.object({ id: z.string(), height: z.number().int(), target: hash, bits: z.string(), difficulty: z.number() }).nullable(),
  uptimeSeconds: z.number(),
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
export type PeerSummary = z.infer<typeof peerView>;
export type PeersView = z.infer<typeof peersView>;
export type DisconnectView = z.infer<typeof disconnectView>;
