import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Block } from '../../src/chain/block.js';
import type { Chain } from '../../src/chain/chain.js';
import { fromDisplayHex, toHex } from '../../src/chain/hash.js';
import { verifyReceipt } from '../../src/chain/receipt.js';
import { decideConsent } from '../../src/chain/consent-check.js';
import { buildCustody, buildEnrol, buildRecord, countersignEnrolment } from '../../src/chain/signing.js';
import { decodeTx, encodeTx, txidHex } from '../../src/chain/tx.js';
import { run as verifyCommand } from '../../src/cli/commands/verify.js';
import { ConsentScene } from './consent-scene.js';
import { draft, keys, mineMany, mineNext, openChain, removeTempDirs, seal, tempDir, testNet } from './helpers.js';

afterAll(removeTempDirs);

/** Mine the mempool into a block at `time`, expecting the chain to accept it. */
async function mineAt(chain: Chain, time: number): Promise<Block> {
  return mineNext(chain, { time });
}

describe('enrol', () => {
  let scene: ConsentScene;
  beforeAll(async () => {
    scene = await ConsentScene.open();
  });
  afterAll(() => scene.chain.close());

  it('links the subject to the patient key once, countersigned by the patient', async () => {
    const tx = scene.enrol();
    expect(decodeTx(encodeTx(tx))).toEqual(tx);
    const [id] = await scene.mine(tx);
    expect(scene.chain.consents().reader.enrolment(scene.subjectHex)).toMatchObject({
      txid: id,
      patient: scene.patient.publicKey,
      provider: scene.clinic.publicKey,
    });
    expect(scene.refusal(scene.enrol(scene.hospital, keys()))).toBe('already-enrolled');
  });

  it('refuses a countersignature by any other key, or over other fields, as a bad signature', () => {
    const subject = new Uint8Array(32).fill(0x01);
    const base = { network: testNet, privateKey: scene.clinic.privateKey, sequence: scene.chain.account(scene.clinic.publicKey).pendingSequence, fee: 1000, subject };
    const byOther = countersignEnrolment({ network: testNet, patientPrivateKey: keys().privateKey, provider: scene.clinic.publicKey, subject });
    expect(scene.refusal(buildEnrol({ ...base, patient: scene.patient.publicKey, patientSignature: byOther }))).toBe('bad-signature');
    // The patient signed for another provider: the clinic cannot use it.
    const forHospital = countersignEnrolment({ network: testNet, patientPrivateKey: scene.patient.privateKey, provider: scene.hospital.publicKey, subject });
    expect(scene.refusal(buildEnrol({ ...base, patient: scene.patient.publicKey, patientSignature: forHospital }))).toBe('bad-signature');
    // Signed for another network.
    const elsewhere = countersignEnrolment({ network: { name: 'dev' }, patientPrivateKey: scene.patient.privateKey, provider: scene.clinic.publicKey, subject });
    expect(scene.refusal(buildEnrol({ ...base, patient: scene.patient.publicKey, patientSignature: elsewhere }))).toBe('bad-signature');
    // The real one, made ahead by the patient, works.
    const good = countersignEnrolment({ network: testNet, patientPrivateKey: scene.patient.privateKey, provider: scene.clinic.publicKey, subject });
    expect(scene.refusal(buildEnrol({ ...base, patient: scene.patient.publicKey, patientSignature: good }))).toBeUndefined();
  });

  it('is signed by a provider owning one of the subject’s records, or by any provider before there are any', async () => {
    const subject = new Uint8Array(32).fill(0x02);
    const signedRecord = buildRecord({ network: testNet, privateKey: scene.clinic.privateKey, sequence: scene.chain.account(scene.clinic.publicKey).pendingSequence, fee: 1000, subject, resourceType: 'Observation', commitment: new Uint8Array(32), locator: '' });
    await scene.mine(signedRecord);
    expect(scene.refusal(scene.enrol(scene.hospital, scene.patient, subject))).toBe('not-subject-provider');
    expect(scene.refusal(scene.enrol(scene.clinic, scene.patient, subject))).toBeUndefined();
  });
});

describe('consent, revoke and their effect on records and access', () => {
  let scene: ConsentScene;
  let observation: string;
  let document: string;
  beforeAll(async () => {
    scene = await ConsentScene.open();
    [, observation, document] = await scene.mine(() => scene.enrol(), () => scene.record(scene.clinic), () => scene.record(scene.clinic, { type: 'DocumentReference' }));
  });
  afterAll(() => scene.chain.close());

  it('is signed by the enrolled patient key only, for an enrolled subject', () => {
    expect(scene.refusal(scene.consent(scene.hospital, { signer: scene.clinic }))).toBe('not-patient-key');
    expect(scene.refusal(scene.consent(scene.hospital, { signer: keys() }))).toBe('insufficient-funds'); // an unfunded stranger pays no fee
    expect(scene.refusal(scene.consent(scene.hospital, { subject: new Uint8Array(32).fill(0x77) }))).toBe('not-enrolled');
  });

  it('refuses malformed consents statelessly', () => {
    expect(scene.refusal(scene.consent(scene.hospital, { actions: [] }))).toBe('bad-consent');
    expect(scene.refusal(scene.consent(scene.hospital, { types: ['Observation', 'Observation'] }))).toBe('bad-consent');
    expect(scene.refusal(scene.consent(scene.hospital, { types: ['observation'] }))).toBe('bad-resource-type');
    expect(scene.refusal(scene.consent(scene.hospital, { purposes: ['SHOPPING'] }))).toBe('bad-purpose');
    expect(scene.refusal(scene.consent(scene.patient))).toBe('bad-consent');
    expect(scene.refusal(scene.consent(scene.hospital, { expiry: { by: 'height', at: scene.chain.tip().height + 1 } }))).toBe('consent-expired');
  });

  it('lets a non-owner append only under a consent covering append and the resource type', async () => {
    // No consent yet.
    expect(scene.refusal(scene.record(scene.hospital, { previous: { txid: observation, relation: 'appends' } }))).toBe('no-consent');
    const [grant] = await scene.mine(scene.consent(scene.hospital, { actions: ['read', 'append'], types: ['Observation'], purposes: ['TREAT'] }));
    const [appended] = await scene.mine(scene.record(scene.hospital, { previous: { txid: observation, relation: 'appends' } }));
    expect(scene.chain.record(appended!)).toMatchObject({ owner: scene.hospital.publicKey, previous: { txid: observation, relation: 'appends' } });
    expect(scene.chain.record(observation)!.amendments).toEqual([appended]);
    expect(scene.chain.auditTrail(scene.subjectHex).at(-1)).toMatchObject({ txid: appended, kind: 'amendment', actor: scene.hospital.publicKey, consent: grant });
    // append is not amend; Observation is not DocumentReference, in either record of the pair.
    expect(scene.refusal(scene.record(scene.hospital, { previous: { txid: observation, relation: 'replaces' } }))).toBe('no-consent');
    expect(scene.refusal(scene.record(scene.hospital, { type: 'DocumentReference', previous: { txid: document, relation: 'appends' } }))).toBe('no-consent');
    expect(scene.refusal(scene.record(scene.hospital, { type: 'DocumentReference', previous: { txid: observation, relation: 'appends' } }))).toBe('no-consent');
    // The lab has no consent at all; custody stays the owner's alone.
    expect(scene.refusal(scene.record(scene.lab, { previous: { txid: observation, relation: 'appends' } }))).toBe('no-consent');
    const custody = buildCustody({ network: testNet, privateKey: scene.hospital.privateKey, sequence: scene.chain.account(scene.hospital.publicKey).pendingSequence, fee: 1000, record: fromDisplayHex(observation), newOwner: scene.hospital.publicKey });
    expect(scene.refusal(custody)).toBe('not-record-owner');
    // The owner's rights are unchanged.
    expect(scene.refusal(scene.record(scene.clinic, { type: 'DocumentReference', previous: { txid: observation, relation: 'appends' } }))).toBeUndefined();
  });

  it('logs reads: under a covering read consent, by the owner, or flagged as break-glass', async () => {
    const [underConsent, byOwner, emergency] = await scene.mine(
      scene.access(scene.hospital, observation, 'TREAT'),
      scene.access(scene.clinic, document, 'HOPERAT'),
      scene.access(scene.lab, document, 'ETREAT'),
    );
    expect(scene.refusal(scene.access(scene.hospital, observation, 'HRESCH'))).toBe('no-consent'); // purpose not granted
    expect(scene.refusal(scene.access(scene.hospital, document, 'TREAT'))).toBe('no-consent'); // type not granted
    expect(scene.refusal(scene.access(scene.lab, observation, 'TREAT'))).toBe('no-consent');
    expect(scene.refusal(scene.access(scene.lab, 'ab'.repeat(32), 'TREAT'))).toBe('record-not-found');
    expect(scene.refusal(scene.access(scene.lab, observation, 'WHATEVER'))).toBe('bad-purpose');
    const log = scene.chain.consents().reader.accessPage(scene.subjectHex, undefined, 10);
    // One block: its order is the miner's (fee rate), so compare by txid.
    expect(new Map(log.map((e) => [e.txid, [e.provider, e.consent !== null, e.breakGlass]]))).toEqual(
      new Map([
        [emergency, [scene.lab.publicKey, false, true]],
        [byOwner, [scene.clinic.publicKey, false, false]],
        [underConsent, [scene.hospital.publicKey, true, false]],
      ]),
    );
  });

  it('stops at revocation; a second revocation, a stranger’s, or an unknown consent are refused; a new grant works again', async () => {
    const [grant] = scene.chain.consents().reader.between(scene.subjectHex, scene.hospital.publicKey).map((c) => c.txid);
    expect(scene.refusal(scene.revoke(grant!, scene.hospital))).toBe('not-patient-key');
    expect(scene.refusal(scene.revoke('cd'.repeat(32)))).toBe('consent-not-found');
    const [revocation] = await scene.mine(scene.revoke(grant!));
    expect(scene.chain.consents().reader.consent(grant!)!.revoked).toMatchObject({ txid: revocation, height: scene.chain.tip().height });
    expect(scene.refusal(scene.revoke(grant!))).toBe('consent-revoked');
    expect(scene.refusal(scene.access(scene.hospital, observation, 'TREAT'))).toBe('consent-revoked');
    expect(scene.refusal(scene.record(scene.hospital, { previous: { txid: observation, relation: 'appends' } }))).toBe('consent-revoked');
    // Break-glass still works without the consent.
    expect(scene.refusal(scene.access(scene.hospital, observation, 'ETREAT'))).toBeUndefined();
    const [regrant] = await scene.mine(scene.consent(scene.hospital, { actions: ['read'], types: ['Observation'] }));
    const [read] = await scene.mine(scene.access(scene.hospital, observation, 'HRESCH'));
    expect(scene.chain.consents().reader.accessPage(scene.subjectHex, undefined, 1)[0]).toMatchObject({ txid: read, consent: regrant, breakGlass: false });
  });
});

describe('expiry, exactly at the block’s time and height', () => {
  it('by time: covers a block whose time is one second before the expiry, not the block at it', async () => {
    const scene = await ConsentScene.open();
    const [, record] = await scene.mine(() => scene.enrol(), () => scene.record(scene.clinic));
    scene.clock = scene.chain.tip().header.time + 1;
    const expiresAt = scene.chain.tip().header.time + 50;
    await scene.mine(scene.consent(scene.hospital, { expiry: { by: 'time', at: expiresAt } }));
    scene.clock = expiresAt - 1;
    const read = scene.access(scene.hospital, record!);
    scene.admit(read);
    // A block at the expiry time holding the read is invalid…
    const late = seal(draft(scene.chain, { time: expiresAt }));
    expect(late.txs.map(txidHex)).toContain(txidHex(read));
    expect(await scene.chain.submitBlock(late, 'api')).toMatchObject({ status: 'rejected', reason: 'consent-expired' });
    // …one a second earlier is valid.
    await mineAt(scene.chain, expiresAt - 1);
    expect(scene.chain.transaction(txidHex(read))).toMatchObject({ status: 'mined' });
    // The mempool judges at the next block's earliest time: now at the expiry, a new read is refused.
    scene.clock = expiresAt;
    expect(scene.refusal(scene.access(scene.hospital, record!))).toBe('consent-expired');
    expect(scene.chain.consents().next.time).toBe(expiresAt);
    await scene.chain.close();
  });

  it('by height: covers blocks below the expiry height, not the block at it', async () => {
    const scene = await ConsentScene.open();
    const [, record] = await scene.mine(() => scene.enrol(), () => scene.record(scene.clinic));
    const expiresAt = scene.chain.tip().height + 3;
    await scene.mine(scene.consent(scene.hospital, { expiry: { by: 'height', at: expiresAt } }));
    await scene.mine(scene.access(scene.hospital, record!)); // height expiresAt - 1
    expect(scene.chain.tip().height).toBe(expiresAt - 1);
    expect(scene.refusal(scene.access(scene.hospital, record!))).toBe('consent-expired');
    await scene.chain.close();
  });

  it('judges the mempool at the next block’s time, even when block times run ahead of the clock', async () => {
    const scene = await ConsentScene.open();
    const [, record] = await scene.mine(() => scene.enrol(), () => scene.record(scene.clinic));
    // A clock that stands still while blocks come a second apart: their times run ahead of it.
    scene.clock = scene.chain.tip().header.time - 20;
    const expiresAt = scene.chain.tip().header.time + 10;
    await scene.mine(scene.consent(scene.hospital, { expiry: { by: 'time', at: expiresAt } }));
    while (scene.chain.consents().next.time < expiresAt) await mineNext(scene.chain);
    // By the clock the consent is still valid; in the next block (what the miner would build) it is not:
    // the read is refused now rather than put into a block every node rejects.
    expect(scene.clock).toBeLessThan(expiresAt);
    expect(scene.chain.template('11'.repeat(32)).fields.time).toBeGreaterThanOrEqual(expiresAt);
    expect(scene.refusal(scene.access(scene.hospital, record!))).toBe('consent-expired');
    await scene.chain.close();
  });
});

describe('reorganisations', () => {
  it('a revocation in a block that is reorganised away leaves the consent active on the new branch', async () => {
    const scene = await ConsentScene.open();
    const [, record] = await scene.mine(() => scene.enrol(), () => scene.record(scene.clinic));
    const [grant] = await scene.mine(scene.consent(scene.hospital));
    // A second chain shares everything up to here.
    const other = await openChain();
    for (let h = 1; h <= scene.chain.tip().height; h++) await other.submitBlock(scene.chain.blockByHeight(h)!.block, 'api');
    const revoke = scene.revoke(grant!);
    await scene.mine(revoke);
    expect(scene.refusal(scene.access(scene.hospital, record!))).toBe('consent-revoked');
    // The other branch grows longer without the revocation.
    const branch = await mineMany(other, 2, { spacing: 2 });
    for (const block of branch) await scene.chain.submitBlock(block, 'api');
    expect(scene.chain.tip().hash).toBe(other.tip().hash);
    expect(scene.chain.consents().reader.consent(grant!)!.revoked).toBeNull();
    expect(scene.chain.transaction(txidHex(revoke))).toMatchObject({ status: 'pending' }); // back in the mempool
    // Active again: a read is valid on the new branch before the revocation is mined again.
    const reader = scene.chain.consents().reader;
    expect(decideConsent(reader, { subject: scene.subjectHex, grantee: scene.hospital.publicKey, action: 'read', resourceTypes: ['Observation'] }, scene.chain.consents().next)).toMatchObject({ allowed: true });
    await other.close();
    await scene.chain.close();
  });

  it('past the undo window, the rebuilt state from genesis says the same', async () => {
    const scene = await ConsentScene.open({ undoWindow: 2 });
    await scene.mine(() => scene.enrol(), () => scene.record(scene.clinic));
    const [grant] = await scene.mine(scene.consent(scene.hospital));
    const other = await openChain();
    for (let h = 1; h <= scene.chain.tip().height; h++) await other.submitBlock(scene.chain.blockByHeight(h)!.block, 'api');
    await scene.mine(scene.revoke(grant!));
    await mineMany(scene.chain, 2);
    const branch = await mineMany(other, 4, { spacing: 2 });
    for (const block of branch) await scene.chain.submitBlock(block, 'api');
    expect(scene.chain.tip().hash).toBe(other.tip().hash);
    expect(scene.chain.consents().reader.consent(grant!)!.revoked).toBeNull();
    expect(scene.chain.consents().reader.enrolment(scene.subjectHex)?.patient).toBe(scene.patient.publicKey);
    await other.close();
    await scene.chain.close();
  });

  it('a restart replays the log into the same enrolments, consents and access log', async () => {
    const dataDir = tempDir();
    const scene = await ConsentScene.open({ dataDir });
    const [, record] = await scene.mine(() => scene.enrol(), () => scene.record(scene.clinic));
    const [grant] = await scene.mine(scene.consent(scene.hospital, { actions: ['read', 'append'] }));
    await scene.mine(scene.access(scene.hospital, record!), scene.access(scene.lab, record!, 'ETREAT'));
    await scene.mine(scene.revoke(grant!));
    const snapshot = (chain: Chain) => {
      const { reader } = chain.consents();
      return { enrolment: reader.enrolment(scene.subjectHex), consents: reader.ofSubject(scene.subjectHex), log: reader.accessPage(scene.subjectHex, undefined, 100) };
    };
    const before = snapshot(scene.chain);
    expect(before.log).toHaveLength(2);
    await scene.chain.close();
    const reopened = await openChain({ dataDir });
    expect(snapshot(reopened)).toEqual(before);
    await reopened.close();
  });
});

describe('receipts of the new kinds', () => {
  it('prove offline that a consent was granted, and revoked, at a height', async () => {
    const scene = await ConsentScene.open();
    const [enrolment] = await scene.mine(scene.enrol());
    const [grant] = await scene.mine(scene.consent(scene.hospital, { actions: ['read'], types: ['Observation'], purposes: ['TREAT'], expiry: { by: 'height', at: 1000 } }));
    const grantHeight = scene.chain.tip().height;
    const [revocation] = await scene.mine(scene.revoke(grant!));
    await mineMany(scene.chain, 1);
    for (const [id, kind, height] of [[grant, 'consent', grantHeight], [revocation, 'revoke', grantHeight + 1], [enrolment, 'enrol', grantHeight - 1]] as const) {
      const receipt = JSON.parse(JSON.stringify(scene.chain.receipt(id!)));
      expect(receipt.height).toBe(height);
      const verdict = verifyReceipt(receipt);
      expect(verdict, kind).toMatchObject({ valid: true, tx: { kind } });
    }
    // A receipt whose enrolment carries a forged countersignature fails its signature check.
    const receipt = scene.chain.receipt(enrolment!)!;
    const tx = decodeTx(Buffer.from(receipt.tx, 'hex'));
    if (tx.kind !== 'enrol') throw new Error('not an enrolment');
    tx.patientSignature = countersignEnrolment({ network: testNet, patientPrivateKey: keys().privateKey, provider: toHex(tx.sender), subject: tx.subject });
    const forged = verifyReceipt({ ...receipt, tx: toHex(encodeTx(tx)) });
    expect(forged.valid).toBe(false);
    expect(forged.checks.find((c) => c.name === 'signature')?.ok).toBe(false);

    // carechain verify says what the proven consent grants.
    const file = join(tempDir(), 'consent-receipt.json');
    writeFileSync(file, JSON.stringify(scene.chain.receipt(grant!)));
    const tip = `${scene.chain.tip().height}:${scene.chain.tip().hash}`; // an anchor: exit 0 (buried), not 3
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    try {
      expect(await verifyCommand([file, '--checkpoint', tip])).toBe(0);
      expect(out.join('')).toContain(`${scene.hospital.publicKey} may read Observation for TREAT, until height 1000`);
      out.length = 0;
      expect(await verifyCommand([file, '--checkpoint', tip, '--json'])).toBe(0);
      expect(JSON.parse(out.join(''))).toMatchObject({ valid: true, summary: expect.stringContaining(`consent by patient key ${scene.patient.publicKey}`) });
    } finally {
      spy.mockRestore();
    }
    await scene.chain.close();
  });
});
