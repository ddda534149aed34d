import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import * as views from '../../src/http/response-schemas.js';
import { NodeApiAdapter } from '../../src/node/api-adapter.js';
import { TxAdmission } from '../../src/node/admission.js';
import { ConsentScene } from '../chain/consent-scene.js';
import { removeTempDirs, tempDir } from '../chain/helpers.js';
import { fhirValidator } from '../http/fhir/r4-schema.js';

/**
 * The consent routes over a real chain: the adapter's answers are the consensus rules' answers (one
 * decision function), at the next block by default or at a point asked for, and the FHIR it serves
 * from real ledger data validates against the R4 schema.
 */
let scene: ConsentScene;
let app: ReturnType<typeof createApp>;
let observation: string;
let grant: string;
let grantHeight: number;
let revokeHeight: number;

const get = async <T>(path: string, schema: { parse(v: unknown): T }): Promise<T> => {
  const res = await app.request(path);
  if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
  return schema.parse(await res.json());
};

beforeAll(async () => {
  scene = await ConsentScene.open();
  const { admission } = await TxAdmission.open(scene.chain, tempDir());
  const api = new NodeApiAdapter({ chain: scene.chain, miner: null, admission, startedAt: performance.now() });
  app = createApp({ api, host: '127.0.0.1', rateLimit: false });
  [, observation] = await scene.mine(() => scene.enrol(), () => scene.record(scene.clinic));
  [grant] = await scene.mine(scene.consent(scene.hospital, { actions: ['read', 'append'], types: ['Observation'], purposes: ['TREAT'] }));
  grantHeight = scene.chain.tip().height;
  await scene.mine(scene.access(scene.hospital, observation!), scene.access(scene.lab, observation!, 'ETREAT'));
  await scene.mine(() => scene.access(scene.hospital, observation!, 'TREAT'));
  await scene.mine(scene.revoke(grant!));
  revokeHeight = scene.chain.tip().height;
});
afterAll(async () => {
  await scene.chain.close();
  removeTempDirs();
});

describe('the check over a real chain', () => {
  const ask = (extra: string) =>
    get(`/consents/check?subject=${scene.subjectHex}&grantee=${scene.hospital.publicKey}&type=Observation&${extra}`, views.consentCheckView);

  it('answers for the next block by default: revoked now', async () => {
    const now = await ask('action=read&purpose=TREAT');
    expect(now).toMatchObject({ allowed: false, reason: 'consent-revoked', consent: grant, at: { height: revokeHeight + 1 } });
  });

  it('answers at a past height: allowed between grant and revocation, not before the grant', async () => {
    expect(await ask(`action=read&purpose=TREAT&height=${revokeHeight - 1}`)).toMatchObject({ allowed: true, consent: grant, reason: null });
    expect(await ask(`action=append&height=${grantHeight}`)).toMatchObject({ allowed: true });
    expect(await ask(`action=read&height=${grantHeight - 1}`)).toMatchObject({ allowed: false, reason: 'no-consent', consent: null });
    expect(await ask(`action=amend&height=${grantHeight}`)).toMatchObject({ allowed: false, reason: 'no-consent' });
    const stranger = await get(`/consents/check?subject=${'00'.repeat(32)}&grantee=${scene.hospital.publicKey}&type=Observation&action=read`, views.consentCheckView);
    expect(stranger).toMatchObject({ allowed: false, reason: 'not-enrolled' });
  });
});

describe('consents, access log and FHIR over a real chain', () => {
  it('lists the subject’s consents with their status at the point', async () => {
    const now = await get(`/subjects/${scene.subjectHex}/consents`, views.subjectConsentsView);
    expect(now.enrolment).toMatchObject({ patient: scene.patient.publicKey, provider: scene.clinic.publicKey });
    expect(now.consents).toMatchObject([{ txid: grant, status: 'revoked', granted: { height: grantHeight }, revoked: { height: revokeHeight } }]);
    const before = await get(`/subjects/${scene.subjectHex}/consents?height=${grantHeight}`, views.subjectConsentsView);
    expect(before.consents[0]!.status).toBe('active');
    const earlier = await get(`/consents/${grant}?height=${grantHeight - 1}`, views.consentDetailView);
    expect(earlier.consent.status).toBe('pending');
  });

  it('shows the new kinds as transactions', async () => {
    const found = await get(`/txs/${grant}`, views.transactionLookupView);
    expect(found.tx).toMatchObject({ kind: 'consent', grantee: scene.hospital.publicKey, actions: ['read', 'append'], resourceTypes: ['Observation'], purposes: ['TREAT'], expiry: null });
  });

  it('pages the access log newest first, break-glass flagged', async () => {
    const page = await get(`/subjects/${scene.subjectHex}/access-log?limit=2`, views.accessLogView);
    expect(page.total).toBe(3);
    expect(page.entries[0]).toMatchObject({ provider: scene.hospital.publicKey, consent: grant, breakGlass: false });
    const rest = await get(`/subjects/${scene.subjectHex}/access-log?limit=2&before=${page.next}`, views.accessLogView);
    expect([...page.entries, ...rest.entries].map((e) => e.breakGlass).filter(Boolean)).toHaveLength(1);
    expect(rest.next).toBeNull();
  });

  it('serves FHIR R4 that validates: Consent, AuditEvent Bundle, Provenance Bundle', async () => {
    const fhir = fhirValidator();
    for (const path of [
      `/consents/${grant}?format=fhir`,
      `/subjects/${scene.subjectHex}/consents?format=fhir`,
      `/subjects/${scene.subjectHex}/access-log?format=fhir`,
      `/records/${observation}?format=fhir`,
      `/subjects/${scene.subjectHex}/records?format=fhir`,
    ]) {
      const res = await app.request(path);
      expect(res.headers.get('content-type'), path).toMatch(/^application\/fhir\+json/);
      expect(fhir.errors(await res.json()), path).toEqual([]);
    }
    const consent = (await (await app.request(`/consents/${grant}?format=fhir`)).json()) as Record<string, any>;
    expect(consent).toMatchObject({ status: 'inactive', provision: { actor: [{ reference: { identifier: { value: scene.hospital.publicKey } } }] } });
    const log = (await (await app.request(`/subjects/${scene.subjectHex}/access-log?format=fhir`)).json()) as Record<string, any>;
    const emergency = log.entry.map((e: any) => e.resource).filter((r: any) => r.meta?.security?.[0]?.code === 'BTG');
    expect(emergency).toHaveLength(1);
    expect(emergency[0].purposeOfEvent[0].coding[0].code).toBe('ETREAT');
  });
});
