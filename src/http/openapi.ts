import { z } from 'zod';
import {
  accessLogQuery,
  accountParams,
  blockIdParams,
  blocksQuery,
  headersQuery,
  consentCheckQuery,
  consentPointQuery,
  formatQuery,
  connectPeerBody,
  disconnectPeerQuery,
  peerIdParams,
  rawBlockParams,
  rawBlockQuery,
  setThreadsBody,
  subjectParams,
  submitTransactionBody,
  txidParams,
} from './inputs.js';
import * as views from './response-schemas.js';

/** One route as /openapi.json describes it; the app's tests check this table against the router. */
export interface RouteDoc {
  method: 'get' | 'post' | 'put' | 'delete';
  /** Hono's pattern, e.g. `/blocks/:hashOrHeight`. */
  path: string;
  summary: string;
  params?: z.ZodObject;
  query?: z.ZodObject;
  body?: z.ZodType;
  ok: { status: number; description: string; schema?: z.ZodType; contentType?: string };
  /**
   * Statuses this route answers with a problem, besides those any route may (421 on loopback, 429,
   * 500) and those of any state-changing route (403 cross-origin, 415 a body that is not JSON).
   */
  errors: number[];
  /** A control route: needs the bearer token (see DESIGN.md, "HTTP and CLI conventions"). */
  control?: boolean;
}

const PROMETHEUS_TEXT = 'text/plain; version=0.0.4; charset=utf-8';

export const ROUTES: readonly RouteDoc[] = [
  { method: 'get', path: '/health', summary: 'Liveness', ok: { status: 200, description: 'the node answers', schema: views.healthView }, errors: [] },
  { method: 'get', path: '/status', summary: 'Node summary: tip, difficulty, hash rate windows, mempool', ok: { status: 200, description: 'summary', schema: views.nodeStatusView }, errors: [] },
  { method: 'get', path: '/blocks', summary: 'A page of best-chain blocks, ascending', query: blocksQuery, ok: { status: 200, description: 'blocks', schema: views.blockPageView }, errors: [400] },
  { method: 'get', path: '/blocks/:hashOrHeight', summary: 'One block: header fields and txids', params: blockIdParams, ok: { status: 200, description: 'the block', schema: views.blockView }, errors: [400, 404] },
  { method: 'get', path: '/blocks/:id/raw', summary: 'The serialized block (binary, or hex with ?format=hex)', params: rawBlockParams, query: rawBlockQuery, ok: { status: 200, description: 'the block bytes', contentType: 'application/octet-stream' }, errors: [400, 404] },
  { method: 'get', path: '/headers', summary: 'Best-chain headers from a height: 80 bytes each, concatenated (hex with ?format=hex); a short page is the tip', query: headersQuery, ok: { status: 200, description: 'the headers', contentType: 'application/octet-stream' }, errors: [400] },
  { method: 'post', path: '/txs', summary: 'Submit a raw signed transaction (hex)', body: submitTransactionBody, ok: { status: 202, description: 'accepted into the mempool', schema: views.submittedView }, errors: [400, 409, 413, 415, 422, 503] },
  { method: 'get', path: '/txs/:txid', summary: 'A transaction, with its block and confirmations', params: txidParams, ok: { status: 200, description: 'the transaction', schema: views.transactionLookupView }, errors: [400, 404] },
  { method: 'get', path: '/txs/:txid/receipt', summary: 'Receipt for offline verification: tx, Merkle paths, coinbase, header and the headers on top', params: txidParams, ok: { status: 200, description: 'the receipt', schema: views.receiptView }, errors: [400, 404] },
  { method: 'get', path: '/mempool', summary: 'Transactions waiting to be mined', ok: { status: 200, description: 'the mempool', schema: views.mempoolView }, errors: [] },
  { method: 'get', path: '/accounts/:key', summary: 'Balance and sequence of an account', params: accountParams, ok: { status: 200, description: 'the account', schema: views.accountView }, errors: [400, 404] },
  { method: 'get', path: '/records/:txid', summary: "A healthcare record anchor (?format=fhir: its trail, a Bundle of Provenance)", params: txidParams, query: formatQuery, ok: { status: 200, description: 'the record', schema: views.recordView }, errors: [400, 404] },
  { method: 'get', path: '/subjects/:pseudonym/records', summary: "A subject's audit trail (records, amendments, custody), oldest first (?format=fhir: a Bundle of Provenance)", params: subjectParams, query: formatQuery, ok: { status: 200, description: 'the trail', schema: views.subjectTrailView }, errors: [400] },
  { method: 'get', path: '/subjects/:pseudonym/consents', summary: "A subject's enrolment and consents, active and past, with their status at a point (?format=fhir: a Bundle of Consent)", params: subjectParams, query: consentPointQuery, ok: { status: 200, description: 'the consents', schema: views.subjectConsentsView }, errors: [400] },
  { method: 'get', path: '/consents/check', summary: 'May this provider do this on the subject’s records of this type, at the point? What a document server asks before it serves a file', query: consentCheckQuery, ok: { status: 200, description: 'the answer', schema: views.consentCheckView }, errors: [400] },
  { method: 'get', path: '/consents/:txid', summary: 'One consent and its status at a point (?format=fhir: a FHIR R4 Consent)', params: txidParams, query: consentPointQuery, ok: { status: 200, description: 'the consent', schema: views.consentDetailView }, errors: [400, 404] },
  { method: 'get', path: '/subjects/:pseudonym/access-log', summary: "A subject's access log, newest first, break-glass flagged (?format=fhir: a Bundle of AuditEvent)", params: subjectParams, query: accessLogQuery, ok: { status: 200, description: 'a page of the log', schema: views.accessLogView }, errors: [400] },
  { method: 'get', path: '/mining', summary: 'Miner summary (xmrig-style)', ok: { status: 200, description: 'the summary', schema: views.miningSummaryView }, errors: [] },
  { method: 'post', path: '/mining/pause', summary: 'Pause mining', control: true, ok: { status: 200, description: 'the summary after pausing', schema: views.miningSummaryView }, errors: [401] },
  { method: 'post', path: '/mining/resume', summary: 'Resume mining', control: true, ok: { status: 200, description: 'the summary after resuming', schema: views.miningSummaryView }, errors: [401] },
  { method: 'put', path: '/mining/threads', summary: 'Set the number of mining threads', control: true, body: setThreadsBody, ok: { status: 200, description: 'the summary after the change', schema: views.miningSummaryView }, errors: [400, 401, 413, 415, 422] },
  { method: 'get', path: '/stratum', summary: 'Stratum server: its sessions, difficulty, shares and estimated hash rate', ok: { status: 200, description: 'the sessions', schema: views.stratumView }, errors: [] },
  { method: 'get', path: '/peers', summary: "Connected peers, this node's peer id and addresses, bans in force", ok: { status: 200, description: 'the peers', schema: views.peersView }, errors: [] },
  { method: 'post', path: '/peers', summary: 'Connect to a peer (multiaddr) and keep it connected; lifts a ban on it', control: true, body: connectPeerBody, ok: { status: 200, description: 'the peer once connected', schema: views.peerView }, errors: [400, 401, 409, 413, 415, 502] },
  { method: 'delete', path: '/peers/:id', summary: 'Disconnect a peer (goodbye), and ban it for ?ban=SECONDS', control: true, params: peerIdParams, query: disconnectPeerQuery, ok: { status: 200, description: 'what was done', schema: views.disconnectView }, errors: [400, 401, 404, 409] },
  { method: 'get', path: '/metrics', summary: 'Prometheus metrics', ok: { status: 200, description: 'exposition text', contentType: PROMETHEUS_TEXT }, errors: [] },
  { method: 'get', path: '/openapi.json', summary: 'This description', ok: { status: 200, description: 'OpenAPI 3.1 document' }, errors: [] },
];

/** The OpenAPI 3.1 document for ROUTES (JSON Schema 2020-12 from the zod schemas). */
export function buildOpenApiDocument(): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of ROUTES) {
    const path = route.path.replace(/:(\w+)/g, '{$1}');
    (paths[path] ??= {})[route.method] = describeOperation(route);
  }
  return {
    openapi: '3.1.0',
    info: { title: 'carechain node API', version: '1', description: 'Errors are RFC 9457 application/problem+json.' },
    paths,
    components: {
      schemas: { Problem: problemSchema },
      securitySchemes: { bearer: { type: 'http', scheme: 'bearer' } },
    },
  };
}

const problemSchema = {
  type: 'object',
  required: ['type', 'title', 'status', 'detail'],
  properties: {
    type: { type: 'string', format: 'uri', description: 'stable: https://carechain.dev/problems/<slug>' },
    title: { type: 'string' },
    status: { type: 'integer' },
    detail: { type: 'string' },
  },
};

function describeOperation(route: RouteDoc): Record<string, unknown> {
  const responses: Record<string, unknown> = {
    [route.ok.status]: {
      description: route.ok.description,
      content: { [route.ok.contentType ?? 'application/json']: route.ok.schema ? { schema: jsonSchema(route.ok.schema, 'output') } : {} },
    },
  };
  const stateChanging = route.method === 'get' ? [] : [403, 415];
  for (const status of new Set([...route.errors, ...stateChanging, 421, 429, 500].sort((a, b) => a - b))) {
    responses[status] = {
      description: 'problem details',
      content: { 'application/problem+json': { schema: { $ref: '#/components/schemas/Problem' } } },
    };
  }
  return {
    summary: route.summary,
    operationId: `${route.method}${route.path.replace(/[^A-Za-z0-9]+(\w)?/g, (_, ch: string | undefined) => (ch ?? '').toUpperCase())}`,
    parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
    ...(route.body
      ? { requestBody: { required: true, content: { 'application/json': { schema: jsonSchema(route.body, 'input') } } } }
      : {}),
    ...(route.control ? { security: [{ bearer: [] }] } : {}),
    responses,
  };
}

function parameters(schema: z.ZodObject | undefined, where: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  return Object.entries(schema.shape).map(([name, field]) => {
    const fieldSchema = field as z.ZodType;
    return {
      name,
      in: where,
      required: where === 'path' || !fieldSchema.safeParse(undefined).success,
      ...(fieldSchema.description ? { description: fieldSchema.description } : {}),
      schema: jsonSchema(fieldSchema, 'input'),
    };
  });
}

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _dialect, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as Record<string, unknown>;
  return rest;
}
