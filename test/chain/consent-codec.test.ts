import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { VerifyError } from '../../src/chain/errors.js';
import { generateKeyPair } from '../../src/chain/keys.js';
import { buildAccess, buildConsent, buildEnrol, buildRevoke, signingDigest, verifyTxSignature } from '../../src/chain/signing.js';
import { decodeTx, encodeTx, type Transaction } from '../../src/chain/tx.js';
import { testNet } from './helpers.js';

/** The four consent kinds on the wire: one encoding each, every byte accounted for. */
const signer = generateKeyPair();
const patient = generateKeyPair();
const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const signed = fc.record({ sequence: fc.integer({ min: 0, max: 0xffffffff }), fee: fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER }) });
const base = (s: { sequence: number; fee: number }) => ({ network: testNet, privateKey: signer.privateKey, ...s });

const consentKind: fc.Arbitrary<Transaction> = fc.oneof(
  fc.record({ s: signed, subject: bytes32 }).map(({ s, subject }) => buildEnrol({ ...base(s), subject, patientPrivateKey: patient.privateKey })),
  fc
    .record({
      s: signed,
      subject: bytes32,
      actions: fc.subarray(['read', 'append', 'amend'] as const),
      resourceTypes: fc.array(fc.string({ maxLength: 40 }), { maxLength: 5 }),
      purposes: fc.array(fc.constantFrom('TREAT', 'ETREAT', 'HRESCH'), { maxLength: 3 }),
      expiry: fc.option(fc.record({ by: fc.constantFrom('time' as const, 'height' as const), at: fc.integer({ min: 0, max: 0xffffffff }) }), { nil: undefined }),
    })
    .map(({ s, expiry, ...c }) => buildConsent({ ...base(s), ...c, grantee: generateKeyPair().publicKey, ...(expiry ? { expiry } : {}) })),
  fc.record({ s: signed, consent: bytes32 }).map(({ s, consent }) => buildRevoke({ ...base(s), consent })),
  fc.record({ s: signed, record: bytes32, purpose: fc.string({ maxLength: 30 }) }).map(({ s, record, purpose }) => buildAccess({ ...base(s), record, purpose })),
);

describe('consent transaction encoding', () => {
  it('round-trips byte for byte and refuses any truncation or trailing byte', () => {
    fc.assert(
      fc.property(consentKind, fc.nat(), (tx, cut) => {
        const bytes = encodeTx(tx);
        const back = decodeTx(bytes);
        expect(back).toEqual(tx);
        expect(encodeTx(back)).toEqual(bytes);
        expect(() => decodeTx(bytes.subarray(0, cut % bytes.length))).toThrow(VerifyError);
        expect(() => decodeTx(Buffer.concat([bytes, Buffer.of(0)]))).toThrow(VerifyError);
      }),
      { numRuns: 200 },
    );
  });

  it('refuses action bits and expiry codes it does not know: they would alias another txid', () => {
    const consent = buildConsent({ ...base({ sequence: 0, fee: 1 }), subject: new Uint8Array(32), grantee: patient.publicKey, actions: ['read'] });
    const bytes = Buffer.from(encodeTx(consent));
    const actionsAt = 1 + 32 + 4 + 8 + 32 + 32;
    expect(bytes[actionsAt]).toBe(0b001);
    bytes[actionsAt] = 0b1001;
    expect(() => decodeTx(bytes)).toThrow(/unknown consent action bits/);
    bytes[actionsAt] = 0b001;
    const expiryAt = actionsAt + 1 + 1 + 1; // no types, no purposes
    bytes[expiryAt] = 3;
    expect(() => decodeTx(bytes)).toThrow(/unknown consent expiry/);
  });

  it('covers the patient countersignature with the provider’s signature, and each with its own digest', () => {
    const tx = buildEnrol({ ...base({ sequence: 3, fee: 10 }), subject: new Uint8Array(32).fill(9), patientPrivateKey: patient.privateKey });
    expect(verifyTxSignature(tx, testNet)).toBe(true);
    expect(verifyTxSignature(tx, { name: 'dev' })).toBe(false);
    // Swapping the countersignature changes what the provider signed.
    const swapped = { ...tx, patientSignature: Uint8Array.from(tx.patientSignature).reverse() };
    expect(signingDigest(swapped, testNet)).not.toEqual(signingDigest(tx, testNet));
    expect(verifyTxSignature(swapped, testNet)).toBe(false);
    // The provider's own signature put where the patient's goes does not pass.
    expect(verifyTxSignature({ ...tx, patientSignature: tx.signature }, testNet)).toBe(false);
  });
});
