import type { Context } from 'hono';
import { z } from 'zod';
import { PURPOSES } from '../chain/purposes.js';
import type { BlockId } from './node-api.js';
import { problems } from './problem.js';

/** Request schemas (path, query, body) and the helpers that turn a failed parse into a 400 problem. */
const hash = z
  .string()
  .regex(/^[0-9a-fA-F]{64}$/, 'expected 64 hex digits')
  .transform((s) => s.toLowerCase());

export const txidParams = z.object({ txid: hash });
export const accountParams = z.object({ key: hash.describe('Ed25519 public key, 64 hex digits') });
export const subjectParams = z.object({ pseudonym: hash.describe('HMAC-SHA256 subject pseudonym, 64 hex digits') });
export const blockIdParams = z.object({
  hashOrHeight: z.string().describe('block hash (64 hex digits) or height (decimal)'),
});
export const rawBlockParams = z.object({ id: blockIdParams.shape.hashOrHeight });

const decimal = z.string().regex(/^\d{1,10}$/, 'expected a non-negative decimal integer').transform(Number);
export const MAX_BLOCKS_PER_PAGE = 100;
export const blocksQuery = z.object({
  from: decimal.optional().describe('first height; default: the last `limit` blocks'),
  limit: decimal
    .pipe(z.number().int().min(1).max(MAX_BLOCKS_PER_PAGE))
    .optional()
    .describe(`1..${MAX_BLOCKS_PER_PAGE}, default 20`),
});
export const rawBlockQuery = z.object({ format: z.enum(['binary', 'hex']).optional() });
export const MAX_HEADERS_PER_PAGE = 2000;
export const headersQuery = z.object({
  from: decimal.optional().describe('first height (default 0)'),
  count: decimal
    .pipe(z.number().int().min(1).max(MAX_HEADERS_PER_PAGE))
    .optional()
    .describe(`1..${MAX_HEADERS_PER_PAGE}, default ${MAX_HEADERS_PER_PAGE}`),
  format: z.enum(['binary', 'hex']).optional(),
});

/** ?format=fhir answers with FHIR R4 JSON (application/fhir+json) instead of the node's own view. */
const format = z.enum(['json', 'fhir']).optional().describe('fhir: a FHIR R4 resource or Bundle (application/fhir+json)');
export const formatQuery = z.object({ format });

/** The point consents are judged at; default the next block: the tip height + 1 and the next block's earliest time. */
const point = {
  at: decimal.optional().describe('unix seconds consent expiry is judged at (default: the next block’s earliest time)'),
  height: decimal.optional().describe('grants and revocations up to this height count, and height expiry is judged at it (default: tip + 1)'),
};
export const consentPointQuery = z.object({ ...point, format });

export const consentCheckQuery = z.object({
  subject: hash.describe('the subject pseudonym, 64 hex digits'),
  grantee: hash.describe('the provider key asking, 64 hex digits'),
  action: z.enum(['read', 'append', 'amend']),
  type: z.string().regex(/^[A-Z][A-Za-z]{1,63}$/, 'expected a FHIR resource name').describe('the resource type of the record'),
  purpose: z
    .enum(Object.keys(PURPOSES) as [string, ...string[]])
    .optional()
    .describe('the purpose of use (a v3 ActReason code the chain knows), for reads'),
  ...point,
});

export const MAX_ACCESS_PAGE = 200;
export const accessLogQuery = z.object({
  limit: decimal.pipe(z.number().int().min(1).max(MAX_ACCESS_PAGE)).optional().describe(`1..${MAX_ACCESS_PAGE}, default 50`),
  before: decimal.optional().describe('the `next` of the previous page: entries older than this position'),
  format,
});

export const submitTransactionBody = z.strictObject({
  hex: z
    .string()
    .min(2)
    .regex(/^([0-9a-fA-F]{2})+$/, 'expected an even number of hex digits')
    .describe('the raw signed transaction'),
});
// The node answers a count above its miner's limit with a 422 naming it; the schema only asks for a count.
export const setThreadsBody = z.strictObject({ threads: z.number().int().min(1) });

export const connectPeerBody = z.strictObject({
  addr: z.string().min(1).max(1024).describe('the peer\'s multiaddr, e.g. /ip4/127.0.0.1/tcp/9333/p2p/12D3KooW…'),
});
export const peerIdParams = z.object({ id: z.string().min(1).max(128).describe('libp2p peer id') });
export const disconnectPeerQuery = z.object({
  ban: decimal
    .pipe(z.number().int().min(1).max(10 * 365 * 86_400))
    .optional()
    .describe('also ban the peer for this many seconds'),
});

/** `/blocks/123` is a height, `/blocks/<64 hex>` a hash; anything else is a client error. */
export function parseBlockId(text: string): BlockId {
  if (/^\d{1,10}$/.test(text)) return { height: Number(text) };
  if (/^[0-9a-fA-F]{64}$/.test(text)) return { hash: text.toLowerCase() };
  throw problems.invalidRequest(`"${text.slice(0, 80)}" is neither a block height nor a 64-hex-digit block hash`);
}

export function parseParams<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseWith(schema, c.req.param(), 'path');
}

export function parseQuery<S extends z.ZodType>(c: Context, schema: S): z.output<S> {
  return parseWith(schema, c.req.query(), 'query');
}

/** A JSON body, checked for media type, syntax and shape, in that order. */
export async function parseJsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (mediaType !== 'application/json') throw problems.unsupportedMediaType('application/json');
  let body: unknown;
  try {
    body = JSON.parse(await c.req.text());
  } catch (err) {
    throw problems.malformedJson(err instanceof Error ? err.message : 'the body is not JSON');
  }
  return parseWith(schema, body, 'body');
}

function parseWith<S extends z.ZodType>(schema: S, input: unknown, where: string): z.output<S> {
  const result = schema.safeParse(input);
  if (result.success) return result.data;
  const errors = result.error.issues.map((issue) => ({
    path: [where, ...issue.path.map(String)].join('.'),
    message: issue.message,
  }));
  throw problems.invalidRequest(`invalid ${where}: ${errors.map((e) => `${e.path}: ${e.message}`).join('; ')}`, errors);
}

export function hexToBytes(hex: string): Uint8Array {
  return new Uint8Array(Buffer.from(hex, 'hex'));
}
