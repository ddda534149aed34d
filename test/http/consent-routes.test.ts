import { beforeAll, describe, expect, it } from 'vitest';
import { accessLogView, consentCheckView, consentDetailView, subjectConsentsView } from '../../src/http/response-schemas.js';
import { h } from './fake-node-api.js';
import { fhirValidator, type FhirValidator } from './fhir/r4-schema.js';
import { makeApp } from './make-app.js';
import { expectProblem } from './problem-assertions.js';

let fhir: FhirValidator;
beforeAll(() => {
  fhir = fhirValidator();
});

/** A FHIR answer: its media type, and its body valid against the R4 schema. */
async function fhirBody(res: Response): Promise<Record<string, any>> {
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toBe('application/fhir+json; charset=utf-8');
  const body = (await res.json()) as Record<string, any>;
  expect(fhir.errors(body)).toEqual([]);
  return body;
}

describe('GET /subjects/:pseudonym/consents', () => {
  it('returns the enrolment and the consents at the point asked for; ?format=fhir a Bundle of Consent', async () => {
    const { app, api } = makeApp();
    const view = subjectConsentsView.parse(await (await app.request(`/subjects/${h(0x5b)}/consents?at=1700000012&height=2`)).json());
    expect(api.calls).toContain('subjectConsents({"time":1700000012,"height":2})');
    expect(view.enrolment).toMatchObject({ patient: h(0xa9) });
    expect(view.consents.map((c) => c.status)).toEqual(['active', 'expired', 'revoked']);
    const none = subjectConsentsView.parse(await (await app.request(`/subjects/${h(0x5c)}/consents`)).json());
    expect(none).toMatchObject({ enrolment: null, consents: [] });
    const bundle = await fhirBody(await app.request(`/subjects/${h(0x5b)}/consents?format=fhir`));
    expect(bundle).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 3 });
    expect(bundle.entry.map((e: any) => [e.resource.resourceType, e.resource.status])).toEqual([['Consent', 'active'], ['Consent', 'inactive'], ['Consent', 'inactive']]);
    await expectProblem(await app.request(`/subjects/${h(0x5b)}/consents?at=soon`), 400, 'invalid-request');
    await expectProblem(await app.request(`/subjects/${h(0x5b)}/consents?format=xml`), 400, 'invalid-request');
  });
});

describe('GET /consents/:txid', () => {
  it('returns one consent, as FHIR on request, 404 when no transaction granted one', async () => {
    const { app } = makeApp();
    const detail = consentDetailView.parse(await (await app.request(`/consents/${h(0xc503)}`)).json());
    expect(detail.consent).toMatchObject({ grantee: h(0xa4), revoked: { txid: h(0xc504) } });
    const resource = await fhirBody(await app.request(`/consents/${h(0xc503)}?format=fhir`));
    expect(resource).toMatchObject({ resourceType: 'Consent', id: h(0xc503), status: 'inactive' });
    await expectProblem(await app.request(`/consents/${h(0xc599)}`), 404, 'not-found');
    await expectProblem(await app.request('/consents/xyz'), 400, 'invalid-request');
  });
});

describe('GET /consents/check', () => {
  const base = `subject=${h(0x5b)}&grantee=${h(0xa2)}`;

  it('passes the question to the node and returns {allowed, consent, reason}', async () => {
    const { app, api } = makeApp();
    const yes = consentCheckView.parse(await (await app.request(`/consents/check?${base}&action=read&type=Observation&purpose=TREAT&at=1700000020`)).json());
    expect(yes).toMatchObject({ allowed: true, consent: h(0xc501), reason: null });
    expect(api.lastCheck).toEqual({ subject: h(0x5b), grantee: h(0xa2), action: 'read', resourceType: 'Observation', purpose: 'TREAT', time: 1_700_000_020 });
    const no = consentCheckView.parse(await (await app.request(`/consents/check?subject=${h(0x5b)}&grantee=${h(0xa7)}&action=append&type=Observation&height=9`)).json());
    expect(no).toMatchObject({ allowed: false, consent: null, reason: 'no-consent' });
    expect(api.lastCheck).toEqual({ subject: h(0x5b), grantee: h(0xa7), action: 'append', resourceType: 'Observation', height: 9 });
  });

  it('refuses a question it cannot ask the chain, as a 400 problem', async () => {
    const { app } = makeApp();
    for (const query of [
      `${base}&type=Observation`, // no action
      `${base}&action=delete&type=Observation`,
      `${base}&action=read&type=observation`,
      `${base}&action=read&type=Observation&purpose=SHOPPING`,
      `subject=patient-1&grantee=${h(0xa2)}&action=read&type=Observation`,
    ]) {
      await expectProblem(await app.request(`/consents/check?${query}`), 400, 'invalid-request');
    }
  });
});

describe('GET /subjects/:pseudonym/access-log', () => {
  it('pages newest first with a cursor; ?format=fhir is a Bundle of AuditEvent linking the next page', async () => {
    const { app } = makeApp();
    const first = accessLogView.parse(await (await app.request(`/subjects/${h(0x5b)}/access-log?limit=2`)).json());
    expect(first).toMatchObject({ total: 5, next: 3 });
    expect(first.entries.map((e) => e.txid)).toEqual([h(0xac04), h(0xac03)]);
    expect(first.entries[1]).toMatchObject({ breakGlass: true, purpose: 'ETREAT', consent: null });
    const second = accessLogView.parse(await (await app.request(`/subjects/${h(0x5b)}/access-log?limit=2&before=${first.next}`)).json());
    expect(second.entries.map((e) => e.txid)).toEqual([h(0xac02), h(0xac01)]);
    const last = accessLogView.parse(await (await app.request(`/subjects/${h(0x5b)}/access-log?limit=2&before=1`)).json());
    expect(last).toMatchObject({ next: null, entries: [{ txid: h(0xac00) }] });

    const bundle = await fhirBody(await app.request(`/subjects/${h(0x5b)}/access-log?format=fhir&limit=2`));
    expect(bundle).toMatchObject({ type: 'searchset', total: 5, link: [{ relation: 'self' }, { relation: 'next', url: `/subjects/${h(0x5b)}/access-log?format=fhir&limit=2&before=3` }] });
    expect(bundle.entry.map((e: any) => e.resource.resourceType)).toEqual(['AuditEvent', 'AuditEvent']);
    expect(bundle.entry[1].resource.meta.security[0].code).toBe('BTG');
    await expectProblem(await app.request(`/subjects/${h(0x5b)}/access-log?limit=0`), 400, 'invalid-request');
    await expectProblem(await app.request(`/subjects/${h(0x5b)}/access-log?limit=201`), 400, 'invalid-request');
  });
});

describe('?format=fhir on the record trails', () => {
  it('gives a Bundle of Provenance for a record and for a subject', async () => {
    const { app } = makeApp();
    const record = await fhirBody(await app.request(`/records/${h(0xc001)}?format=fhir`));
    // The fake record 0xc001 was amended by 0xc002: two changes.
    expect(record.entry.map((e: any) => [e.resource.resourceType, e.resource.activity.coding[0].code])).toEqual([['Provenance', 'CREATE'], ['Provenance', 'APPEND']]);
    const subject = await fhirBody(await app.request(`/subjects/${h(0x5b)}/records?format=fhir`));
    expect(subject).toMatchObject({ resourceType: 'Bundle', type: 'collection' });
    expect(subject.entry).toHaveLength(2);
    await expectProblem(await app.request(`/records/${h(0xc009)}?format=fhir`), 404, 'not-found');
    await expectProblem(await app.request(`/records/${h(0xc001)}?format=pdf`), 400, 'invalid-request');
  });
});
