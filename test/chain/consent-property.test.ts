import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VerifyError } from '../../src/chain/errors.js';
import { fromDisplayHex, toHex } from '../../src/chain/hash.js';
import { generateKeyPair, type KeyPair } from '../../src/chain/keys.js';
import { buildAccess, buildConsent, buildEnrol, buildRecord, buildRevoke } from '../../src/chain/signing.js';
import { LedgerState } from '../../src/chain/state.js';
import { txidHex, type ConsentAction, type ConsentExpiry, type SignedTx } from '../../src/chain/tx.js';
import { testNet } from './helpers.js';

/**
 * Random sequences of grants, revocations, reads and amendments, applied to the ledger state and to a
 * reference model written from the rules as the README states them: who may do what, when. Every
 * transaction must be accepted or refused exactly as the model says, with the model's reason; the
 * access log must match; and undoing the whole journal must give back the state it started from.
 */

const TYPES = ['Observation', 'DocumentReference', 'Condition'] as const;
const PURPOSES = ['TREAT', 'ETREAT', 'HRESCH', 'HPAYMT'] as const;
const ACTIONS: ConsentAction[] = ['read', 'append', 'amend'];

// Fixed cast: two enrolled subjects with a patient each, one subject nobody enrolled; the clinic owns
// the first records; two other providers act under consents or not at all.
const patients = [generateKeyPair(), generateKeyPair()];
const clinic = generateKeyPair();
const providers = [clinic, generateKeyPair(), generateKeyPair()];
const subjects = [0x51, 0x52, 0x53].map((b) => new Uint8Array(32).fill(b));

type Op =
  | { op: 'grant'; subject: number; signer: number; grantee: number; actions: ConsentAction[]; types: string[]; purposes: string[]; expiry: { by: 'time' | 'height'; offset: number } | null }
  | { op: 'revoke'; pick: number; signer: number }
  | { op: 'access'; provider: number; record: number; purpose: string }
  | { op: 'amend'; provider: number; record: number; relation: 'appends' | 'replaces'; type: string }
  | { op: 'wait'; seconds: number; blocks: number };

const subsetOf = <T,>(items: readonly T[], min = 0) => fc.subarray([...items], { minLength: min });
const opArb: fc.Arbitrary<Op> = fc.oneof(
  fc.record({
    op: fc.constant('grant' as const),
    subject: fc.oneof({ weight: 5, arbitrary: fc.nat(1) }, { weight: 1, arbitrary: fc.constant(2) }),
    // Mostly the right patient (index = subject); sometimes the other one or a provider.
    signer: fc.oneof({ weight: 4, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat(3) }),
    grantee: fc.integer({ min: 1, max: 2 }),
    actions: subsetOf(ACTIONS, 1),
    types: subsetOf(TYPES),
    purposes: subsetOf(PURPOSES),
    expiry: fc.option(fc.record({ by: fc.constantFrom('time' as const, 'height' as const), offset: fc.integer({ min: -1, max: 10 }) }), { nil: null }),
  }),
  fc.record({ op: fc.constant('revoke' as const), pick: fc.nat(20), signer: fc.oneof({ weight: 4, arbitrary: fc.constant(-1) }, { weight: 1, arbitrary: fc.nat(3) }) }),
  fc.record({ op: fc.constant('access' as const), provider: fc.oneof({ weight: 1, arbitrary: fc.constant(0) }, { weight: 4, arbitrary: fc.integer({ min: 1, max: 2 }) }), record: fc.nat(20), purpose: fc.constantFrom(...PURPOSES) }),
  fc.record({ op: fc.constant('amend' as const), provider: fc.nat(2), record: fc.nat(20), relation: fc.constantFrom('appends' as const, 'replaces' as const), type: fc.constantFrom(...TYPES) }),
  fc.record({ op: fc.constant('wait' as const), seconds: fc.nat(3), blocks: fc.nat(2) }),
);

// ---- the reference model ----

interface ModelConsent {
  id: string;
  subject: number;
  grantee: string;
  actions: ConsentAction[];
  types: string[];
  purposes: string[];
  expiry: ConsentExpiry | null;
  revoked: boolean;
}
interface ModelRecord {
  id: string;
  subject: number;
  owner: string;
  type: string;
  replaced: boolean;
}

class Model {
  consents: ModelConsent[] = [];
  records: ModelRecord[] = [];
  log: Array<{ txid: string; provider: string; consent: string | null; breakGlass: boolean }> = [];
  height = 10;
  time = 1_000_000;

  enrolledPatient(subject: number): string | undefined {
    return subject < patients.length ? patients[subject]!.publicKey : undefined;
  }

  /** allowed → the consent; otherwise the reason. */
  decide(subject: number, grantee: string, action: ConsentAction, types: string[], purpose?: string): { consent: string } | { reason: string } {
    if (!this.enrolledPatient(subject)) return { reason: 'not-enrolled' };
    const covering = this.consents
      .filter((c) => c.subject === subject && c.grantee === grantee && c.actions.includes(action))
      .filter((c) => c.types.length === 0 || types.every((t) => c.types.includes(t)))
      .filter((c) => purpose === undefined || c.purposes.length === 0 || c.purposes.includes(purpose))
      .reverse();
    const active = covering.find((c) => !c.revoked && !this.expired(c.expiry));
    if (active) return { consent: active.id };
    if (covering.length === 0) return { reason: 'no-consent' };
    return { reason: covering[0]!.revoked ? 'consent-revoked' : 'consent-expired' };
  }

  expired(expiry: ConsentExpiry | null): boolean {
    return expiry !== null && (expiry.by === 'time' ? this.time >= expiry.at : this.height >= expiry.at);
  }
}

// ---- running both ----

function setUp(): { state: LedgerState; model: Model; sequences: Map<string, number> } {
  const state = new LedgerState();
  const model = new Model();
  const sequences = new Map<string, number>();
  const fund = [...patients, ...providers];
  fund.forEach((k, i) => state.applyTransaction({ kind: 'coinbase', height: i + 1, recipient: fromHexKey(k), extranonce1: 0, extranonce2: 0, value: 1e12 }, ctxFor(model, `cb${i}`)));
  const apply = (tx: SignedTx) => {
    state.applyTransaction(tx, ctxFor(model, txidHex(tx)));
    sequences.set(toHex(tx.sender), tx.sequence + 1);
  };
  patients.forEach((p, i) => apply(buildEnrol({ ...signed(clinic, sequences), subject: subjects[i]!, patientPrivateKey: p.privateKey })));
  // The clinic anchors two records of each subject.
  for (let s = 0; s < subjects.length; s++) {
    for (const type of ['Observation', 'DocumentReference']) {
      const tx = buildRecord({ ...signed(clinic, sequences), subject: subjects[s]!, resourceType: type, commitment: new Uint8Array(32).fill(s), locator: '' });
      apply(tx);
      model.records.push({ id: txidHex(tx), subject: s, owner: clinic.publicKey, type, replaced: false });
    }
  }
  return { state, model, sequences };
}

function fromHexKey(k: KeyPair): Uint8Array {
  return Buffer.from(k.publicKey, 'hex');
}

function signed(who: KeyPair, sequences: Map<string, number>) {
  return { network: testNet, privateKey: who.privateKey, sequence: sequences.get(who.publicKey) ?? 0, fee: 10 };
}

function ctxFor(model: Model, txid: string) {
  return { txid, height: model.height, time: model.time, coinbaseMaturity: 0 };
}

/** Build the transaction for `op` and what the model says about it; null for a plain wait. */
function step(op: Op, model: Model, sequences: Map<string, number>): { tx: SignedTx; expect: string | null; effect: () => void } | null {
  const keysBy = [...patients, ...providers];
  switch (op.op) {
    case 'wait':
      model.time += op.seconds;
      model.height += op.blocks;
      return null;
    case 'grant': {
      const signer = op.signer === -1 ? (patients[op.subject] ?? patients[0]!) : keysBy[op.signer]!;
      const grantee = providers[op.grantee]!;
      const expiry: ConsentExpiry | null = op.expiry ? { by: op.expiry.by, at: Math.max(0, (op.expiry.by === 'time' ? model.time : model.height) + op.expiry.offset) } : null;
      const tx = buildConsent({ ...signed(signer, sequences), subject: subjects[op.subject]!, grantee: grantee.publicKey, actions: op.actions, resourceTypes: op.types, purposes: op.purposes, ...(expiry ? { expiry } : {}) });
      const patient = model.enrolledPatient(op.subject);
      const expect = !patient ? 'not-enrolled' : patient !== signer.publicKey ? 'not-patient-key' : model.expired(expiry) ? 'consent-expired' : null;
      const effect = () => model.consents.push({ id: txidHex(tx), subject: op.subject, grantee: grantee.publicKey, actions: tx.actions, types: op.types, purposes: op.purposes, expiry, revoked: false });
      return { tx, expect, effect };
    }
    case 'revoke': {
      // Mostly a consent granted so far; one pick in (count + 1) names none.
      const target = model.consents[op.pick % (model.consents.length + 1)];
      const consentId = target?.id ?? 'ee'.repeat(32);
      const signer = op.signer === -1 ? (target ? patients[target.subject]! : patients[0]!) : keysBy[op.signer]!;
      const tx = buildRevoke({ ...signed(signer, sequences), consent: fromDisplayHex(consentId) });
      const expect = !target ? 'consent-not-found' : model.enrolledPatient(target.subject) !== signer.publicKey ? 'not-patient-key' : target.revoked ? 'consent-revoked' : null;
      return { tx, expect, effect: () => target && (target.revoked = true) };
    }
    case 'access': {
      const record = model.records[op.record % model.records.length]!;
      const provider = providers[op.provider]!;
      const tx = buildAccess({ ...signed(provider, sequences), record: fromDisplayHex(record.id), purpose: op.purpose });
      let consent: string | null = null;
      let breakGlass = false;
      let expect: string | null = null;
      if (record.owner !== provider.publicKey) {
        const decision = model.decide(record.subject, provider.publicKey, 'read', [record.type], op.purpose);
        if ('consent' in decision) consent = decision.consent;
        else if (op.purpose === 'ETREAT') breakGlass = true;
        else expect = decision.reason;
      }
      return { tx, expect, effect: () => model.log.push({ txid: txidHex(tx), provider: provider.publicKey, consent, breakGlass }) };
    }
    case 'amend': {
      const record = model.records[op.record % model.records.length]!;
      const provider = providers[op.provider]!;
      const tx = buildRecord({
        ...signed(provider, sequences),
        subject: subjects[record.subject]!,
        resourceType: op.type,
        commitment: new Uint8Array(32),
        locator: '',
        previous: { txid: fromDisplayHex(record.id), relation: op.relation },
      });
      let expect: string | null = null;
      if (record.owner !== provider.publicKey) {
        if (!model.enrolledPatient(record.subject)) expect = 'not-record-owner';
        else {
          const types = record.type === op.type ? [record.type] : [record.type, op.type];
          const decision = model.decide(record.subject, provider.publicKey, op.relation === 'appends' ? 'append' : 'amend', types);
          if ('reason' in decision) expect = decision.reason;
        }
      }
      if (expect === null && op.relation === 'replaces' && record.replaced) expect = 'record-superseded';
      const effect = () => {
        if (op.relation === 'replaces') record.replaced = true;
        model.records.push({ id: txidHex(tx), subject: record.subject, owner: provider.publicKey, type: op.type, replaced: false });
      };
      return { tx, expect, effect };
    }
  }
}

function snapshot(state: LedgerState) {
  const reader = state.consents;
  return subjects.map((s) => {
    const subject = toHex(s);
    return { enrolment: reader.enrolment(subject), consents: reader.ofSubject(subject), log: reader.accessPage(subject, undefined, 1000), trail: state.auditTrail(subject) };
  });
}

describe('consent rules against a reference model', () => {
  it('accept and refuse exactly as the model says, log the same reads, and undo to where they started', () => {
    fc.assert(
      fc.property(fc.array(opArb, { minLength: 5, maxLength: 60, size: 'large' }), (ops) => {
        const { state, model, sequences } = setUp();
        const before = snapshot(state);
        state.beginUndo();
        for (const op of ops) {
          const made = step(op, model, sequences);
          if (!made) continue;
          let reason: string | null = null;
          try {
            state.applyTransaction(made.tx, ctxFor(model, txidHex(made.tx)));
          } catch (err) {
            if (!(err instanceof VerifyError)) throw err;
            reason = err.reason;
          }
          expect(reason, `${JSON.stringify(op)} at height ${model.height}, time ${model.time}`).toBe(made.expect);
          if (reason === null) {
            made.effect();
            sequences.set(toHex(made.tx.sender), made.tx.sequence + 1);
          }
        }
        const logged = subjects.flatMap((s) => state.consents.accessPage(toHex(s), undefined, 1000).reverse());
        const byTxid = (a: { txid: string }, b: { txid: string }) => a.txid.localeCompare(b.txid);
        expect(logged.map((e) => ({ txid: e.txid, provider: e.provider, consent: e.consent, breakGlass: e.breakGlass })).sort(byTxid)).toEqual([...model.log].sort(byTxid));
        state.undo(state.endUndo());
        expect(snapshot(state)).toEqual(before);
      }),
      { numRuns: 120 },
    );
  });
});
