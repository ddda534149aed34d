import type { Hono } from 'hono';
import { recordTrail, trailBundle } from '../fhir/record-trail.js';
import { accountParams, formatQuery, parseParams, parseQuery, subjectParams, txidParams } from '../inputs.js';
import type { NodeApi } from '../node-api.js';
import { problems } from '../problem.js';
import type { SubjectTrail } from '../response-schemas.js';
import { fhir } from './consents.js';

/** The ledger's state: the mempool, accounts and healthcare records. */
export function registerLedgerRoutes(app: Hono, api: NodeApi): void {
  app.get('/mempool', async (c) => c.json(await api.mempool()));

  app.get('/accounts/:key', async (c) => {
    const { key } = parseParams(c, accountParams);
    const account = await api.getAccount(key);
    if (!account) throw problems.notFound(`no account ${key}`);
    return c.json(account);
  });

  app.get('/records/:txid', async (c) => {
    const { txid } = parseParams(c, txidParams);
    const { format } = parseQuery(c, formatQuery);
    const record = await api.getRecord(txid);
    if (!record) throw problems.notFound(`no record anchored by transaction ${txid}`);
    // ?format=fhir: the record's trail, a Provenance per change.
    if (format === 'fhir') return fhir(c, await trailBundle(api, await recordTrail(api, record)));
    return c.json(record);
  });

  app.get('/subjects/:pseudonym/records', async (c) => {
    const { pseudonym } = parseParams(c, subjectParams);
    const { format } = parseQuery(c, formatQuery);
    if (format === 'fhir') return fhir(c, await trailBundle(api, await api.subjectTrail(pseudonym)));
    const trail: SubjectTrail = { subject: pseudonym, trail: await api.subjectTrail(pseudonym) };
    return c.json(trail);
  });
}
