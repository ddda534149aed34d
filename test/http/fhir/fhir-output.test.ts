import { beforeAll, describe, expect, it } from 'vitest';
import { PURPOSES } from '../../../src/chain/purposes.js';
import { fhirAuditEvent } from '../../../src/http/fhir/audit-event.js';
import { bundle, type FhirResource } from '../../../src/http/fhir/bundle.js';
import { fhirConsent } from '../../../src/http/fhir/consent.js';
import { fhirProvenance } from '../../../src/http/fhir/provenance.js';
import type { AuditEntryView, ConsentView, RecordView } from '../../../src/http/response-schemas.js';
import { h } from '../fake-node-api.js';
import { codingsIn, fhirValidator, hl7CodeSystems, type FhirValidator } from './r4-schema.js';

/**
 * The FHIR R4 the node serves, checked against HL7's own R4 JSON schema and code systems: every
 * resource validates, and every HL7 coding names a code of its system with HL7's display.
 */
let fhir: FhirValidator;
let codeSystems: ReturnType<typeof hl7CodeSystems>;
beforeAll(() => {
  fhir = fhirValidator();
  codeSystems = hl7CodeSystems();
});

/** Systems HL7 does not ship with R4 (LOINC) or that are the ledger's own. */
const UNSHIPPED = (system: string) => system === 'http://loinc.org' || system.startsWith('urn:carechain:');

function expectValid(resource: FhirResource): void {
  expect(fhir.errors(resource), JSON.stringify(resource, null, 1)).toEqual([]);
  for (const c of codingsIn(resource)) {
    if (UNSHIPPED(c.system)) continue;
    const codes = codeSystems.get(c.system);
    expect(codes, `code system ${c.system}`).toBeDefined();
    expect(codes!.has(c.code), `${c.system}#${c.code}`).toBe(true);
    if (c.display !== undefined && c.system !== 'http://hl7.org/fhir/resource-types') expect(c.display, `${c.system}#${c.code}`).toBe(codes!.get(c.code));
  }
}

const consent = (over: Partial<ConsentView> = {}): ConsentView => ({
  txid: h(0xc501),
  subject: h(0x5b),
  patient: h(0xa9),
  grantee: h(0xa2),
  actions: ['read', 'append', 'amend'],
  resourceTypes: ['Observation', 'DocumentReference'],
  purposes: Object.keys(PURPOSES),
  expiry: null,
  granted: { height: 7, time: 1_767_225_700 },
  revoked: null,
  status: 'active',
  ...over,
});

describe('Consent', () => {
  it('maps a consent to patient, performer, scope patient-privacy and a permit provision', () => {
    const resource = fhirConsent(consent({ expiry: { by: 'time', at: 1_767_312_100 } }));
    expectValid(resource);
    expect(resource).toMatchObject({
      resourceType: 'Consent',
      id: h(0xc501),
      status: 'active',
      scope: { coding: [{ code: 'patient-privacy' }] },
      patient: { type: 'Patient', identifier: { system: 'urn:carechain:subject', value: h(0x5b) } },
      performer: [{ identifier: { system: 'urn:carechain:key', value: h(0xa9) } }],
      provision: {
        type: 'permit',
        period: { start: '2026-01-01T00:01:40.000Z', end: '2026-01-02T00:01:40.000Z' },
        actor: [{ reference: { identifier: { value: h(0xa2) } } }],
        class: [{ code: 'Observation' }, { code: 'DocumentReference' }],
      },
    });
    const provision = resource.provision as { action: Array<{ coding: Array<{ code: string }> }>; purpose: Array<{ code: string }> };
    expect(provision.action.map((a) => a.coding.map((c) => c.code))).toEqual([['access', 'read'], ['collect', 'append'], ['correct', 'amend']]);
    expect(provision.purpose.map((p) => p.code)).toEqual(Object.keys(PURPOSES));
  });

  it('marks revoked and expired consents inactive, ending at the revocation; a height expiry is an extension', () => {
    const revoked = fhirConsent(consent({ revoked: { txid: h(0xc504), height: 9, time: 1_767_225_800 }, status: 'revoked', expiry: { by: 'height', at: 90 }, resourceTypes: [], purposes: [], actions: ['read'] }));
    expectValid(revoked);
    expect(revoked).toMatchObject({
      status: 'inactive',
      extension: [{ url: 'urn:carechain:extension:revoked-by', valueIdentifier: { value: h(0xc504) } }],
      provision: { period: { end: '2026-01-01T00:03:20.000Z' }, extension: [{ url: 'urn:carechain:extension:expires-at-height', valueUnsignedInt: 90 }] },
    });
    // No types and no purposes: the provision does not restrict them.
    expect(revoked.provision).not.toHaveProperty('class');
    expect(revoked.provision).not.toHaveProperty('purpose');
    expectValid(fhirConsent(consent({ status: 'expired', expiry: { by: 'time', at: 1_767_225_701 } })));
    expectValid(fhirConsent(consent({ status: 'pending' })));
  });

  it('the schema refuses what R4 does not allow (the check can fail)', () => {
    const resource = fhirConsent(consent());
    expect(fhir.errors({ ...resource, status: 'revoked' })).not.toEqual([]);
    expect(fhir.errors({ ...resource, scope: undefined })).not.toEqual([]);
    expect(fhir.errors({ ...resource, revokedAt: 3 })).not.toEqual([]);
  });
});

const access = (n: number, over: Partial<Parameters<typeof fhirAuditEvent>[1]> = {}) => ({
  txid: h(0xac00 + n),
  provider: h(0xa2),
  record: h(0xc001),
  resourceType: 'Observation',
  purpose: 'TREAT',
  consent: h(0xc501),
  breakGlass: false,
  height: 8,
  time: 1_767_225_710 + n,
  ...over,
});

describe('AuditEvent', () => {
  it('maps reads to a Bundle of AuditEvent; break-glass carries ETREAT and the BTG security label', () => {
    const entries = [access(2, { purpose: 'ETREAT', consent: null, breakGlass: true, provider: h(0xa5) }), access(1, { consent: null, provider: h(0xa1) }), access(0)];
    const result = bundle('searchset', entries.map((e) => fhirAuditEvent(h(0x5b), e)), { total: 9, self: '/x?format=fhir', next: '/x?format=fhir&before=6' });
    expectValid(result);
    expect(result).toMatchObject({ resourceType: 'Bundle', type: 'searchset', total: 9, link: [{ relation: 'self' }, { relation: 'next', url: '/x?format=fhir&before=6' }] });
    const events = (result.entry as Array<{ resource: FhirResource }>).map((e) => e.resource);
    for (const event of events) expectValid(event);
    const [emergency, own, consented] = events as Array<Record<string, any>>;
    expect(emergency!.meta).toEqual({ security: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'BTG', display: 'break the glass' }] });
    expect(emergency!.purposeOfEvent[0].coding[0]).toMatchObject({ code: 'ETREAT', display: 'Emergency Treatment' });
    expect(emergency!.outcomeDesc).toMatch(/break-glass/);
    expect(own!.meta).toBeUndefined();
    expect(consented!.agent[0]).toMatchObject({ requestor: true, policy: [`urn:carechain:tx:${h(0xc501)}`], who: { identifier: { value: h(0xa2) } } });
    expect(consented!.entity.map((e: any) => e.what.identifier.value)).toEqual([h(0xc001), h(0x5b)]);
  });
});

describe('Provenance', () => {
  const record = (txid: string, over: Partial<RecordView> = {}): RecordView => ({
    txid,
    provider: h(0xa1),
    owner: h(0xa1),
    subject: h(0x5b),
    resourceType: 'Observation',
    commitment: h(0xf0),
    locator: '',
    amendments: [],
    custody: [],
    height: 5,
    time: 1_767_225_600,
    ...over,
  });
  const records = new Map<string, RecordView>([
    [h(0xc001), record(h(0xc001), { custody: [{ txid: h(0xc0d1), from: h(0xa1), to: h(0xa3), height: 9 }] })],
    [h(0xc002), record(h(0xc002), { previous: { txid: h(0xc001), relation: 'replaces' } })],
    [h(0xc003), record(h(0xc003), { previous: { txid: h(0xc002), relation: 'appends' }, provider: h(0xa2) })],
  ]);
  const trail: AuditEntryView[] = [
    { txid: h(0xc001), kind: 'record', record: h(0xc001), actor: h(0xa1), resourceType: 'Observation', height: 5, time: 1_767_225_600 },
    { txid: h(0xc002), kind: 'amendment', record: h(0xc002), actor: h(0xa1), resourceType: 'Observation', height: 6, time: 1_767_225_601 },
    { txid: h(0xc003), kind: 'amendment', record: h(0xc003), actor: h(0xa2), resourceType: 'Observation', height: 7, time: 1_767_225_602, consent: h(0xc501) },
    { txid: h(0xc0d1), kind: 'custody', record: h(0xc001), actor: h(0xa1), resourceType: 'Observation', height: 9, time: 1_767_225_603 },
  ];

  it('maps each change of a trail to a Provenance: create, revise, append under a consent, custody', () => {
    const resources = trail.map((e) => fhirProvenance(e, (txid) => records.get(txid) ?? null));
    expectValid(bundle('collection', resources));
    for (const r of resources) expectValid(r);
    const activity = (r: FhirResource) => (r.activity as { coding: Array<{ code: string }> }).coding[0]!.code;
    expect(resources.map(activity)).toEqual(['CREATE', 'UPDATE', 'APPEND', 'custody']);
    expect(resources[1]).toMatchObject({ entity: [{ role: 'revision', what: { identifier: { value: h(0xc001) } } }] });
    expect(resources[2]).toMatchObject({ policy: [`urn:carechain:tx:${h(0xc501)}`], entity: [{ role: 'derivation' }] });
    expect((resources[3]!.agent as Array<{ who: { identifier: { value: string } } }>).map((a) => a.who.identifier.value)).toEqual([h(0xa1), h(0xa3)]);
  });
});
