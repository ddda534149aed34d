import type { Context, Hono } from 'hono';
import { fhirAuditEvent } from '../fhir/audit-event.js';
import { bundle, FHIR_CONTENT_TYPE, type FhirResource } from '../fhir/bundle.js';
import { fhirConsent } from '../fhir/consent.js';
import { accessLogQuery, consentCheckQuery, consentPointQuery, parseParams, parseQuery, subjectParams, txidParams } from '../inputs.js';
import type { ConsentPointQuery, NodeApi } from '../node-api.js';
import { problems } from '../problem.js';

/**
 * The patients' side of the ledger: enrolment and consents by subject, one consent, the check a
 * document server makes before it serves a file, and the access log. ?format=fhir answers in FHIR R4.
 */
export function registerConsentRoutes(app: Hono, api: NodeApi): void {
  app.get('/subjects/:pseudonym/consents', async (c) => {
    const { pseudonym } = parseParams(c, subjectParams);
    const query = parseQuery(c, consentPointQuery);
    const found = await api.subjectConsents(pseudonym, pointQuery(query));
    if (query.format === 'fhir') return fhir(c, bundle('searchset', found.consents.map(fhirConsent), { total: found.consents.length }));
    return c.json(found);
  });

  // Before /consents/:txid, which would take "check" for a txid (and refuse it as one).
  app.get('/consents/check', async (c) => {
    const q = parseQuery(c, consentCheckQuery);
    const answer = await api.checkConsent({
      subject: q.subject,
      grantee: q.grantee,
      action: q.action,
      resourceType: q.type,
      ...(q.purpose ? { purpose: q.purpose } : {}),
      ...pointQuery(q),
    });
    return c.json(answer);
  });

  app.get('/consents/:txid', async (c) => {
    const { txid } = parseParams(c, txidParams);
    const query = parseQuery(c, consentPointQuery);
    const found = await api.getConsent(txid, pointQuery(query));
    if (!found) throw problems.notFound(`no consent granted by transaction ${txid}`);
    return query.format === 'fhir' ? fhir(c, fhirConsent(found.consent)) : c.json(found);
  });

  app.get('/subjects/:pseudonym/access-log', async (c) => {
    const { pseudonym } = parseParams(c, subjectParams);
    const query = parseQuery(c, accessLogQuery);
    const limit = query.limit ?? 50;
    const page = await api.accessLog(pseudonym, { limit, ...(query.before !== undefined ? { before: query.before } : {}) });
    if (query.format !== 'fhir') return c.json(page);
    const path = `/subjects/${pseudonym}/access-log?format=fhir&limit=${limit}`;
    const self = query.before !== undefined ? `${path}&before=${query.before}` : path;
    const next = page.next !== null ? `${path}&before=${page.next}` : null;
    return fhir(c, bundle('searchset', page.entries.map((e) => fhirAuditEvent(pseudonym, e)), { total: page.total, self, next }));
  });
}

/** FHIR JSON with its own media type. */
export function fhir(c: Context, resource: FhirResource): Response {
  return c.body(JSON.stringify(resource), 200, { 'content-type': FHIR_CONTENT_TYPE });
}

function pointQuery(q: { at?: number | undefined; height?: number | undefined }): ConsentPointQuery {
  return { ...(q.at !== undefined ? { time: q.at } : {}), ...(q.height !== undefined ? { height: q.height } : {}) };
}
