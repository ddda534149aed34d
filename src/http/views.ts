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

/** Transfers, records and coinbases differ: the common fields are fixed, the rest is per type. */
export const transactionView = z.looseObject({ txid: hash, type: z.string(), size: z.number().int() });

export const transactionLookupView = z.object({
  tx: transactionView,
  block: blockRef.nullable().describe('null while in the mempool'),
  confirmations: z.number().int(),
});

export const submittedView = z.object({ txid: hash });

export const receiptView = z.looseObject({
  txid: hash,
  tx: hex.describe('the raw transaction'),
  header: hex.describe('the 80-byte block header'),
  block: blockRef,
  merklePath: z.array(hash).describe('sibling hashes from the leaf up'),
  index: z.number().int().describe("the transaction's position in the block; its bits say left or right"),
});

export const mempoolView = z.object({
  transactions: z.number().int(),
  bytes: z.number().int(),
  entries: z.array(z.object({ txid: hash, size: z.number().int(), fee: z.number(), feePerByte: z.number() })),
});

export const accountView = z.object({ key: hash, balance: z.number(), sequence: z.number().int() });

export const recordView = z.looseObject({
  txid: hash,
  subject: z.string().describe('pseudonymous subject id (HMAC held by the provider)'),
  resourceType: z.string().describe('FHIR resource name'),
  commitment: hash.describe('SHA-256(salt ‖ document)'),
  owner: hash,
  amends: hash.nullable(),
  locator: z.string(),
  block: blockRef.nullable(),
  time: z.number().int().nullable(),
});

export const subjectRecordsView = z.object({ subject: z.string(), records: z.array(recordView).describe('oldest first') });

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
export type SubjectRecords = z.infer<typeof subjectRecordsView>;
export type MiningSummary = z.infer<typeof miningSummaryView>;
