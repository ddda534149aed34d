import { randomBytes } from 'node:crypto';
import { sha256, sha256d, fromHex, toHex } from './hash.js';
import { publicKeyOf, signMessage, verifySignature } from './keys.js';
import {
  CONSENT_ACTIONS,
  encodeUnsigned,
  SIGNATURE_BYTES,
  type AccessTx,
  type ConsentAction,
  type ConsentExpiry,
  type ConsentTx,
  type CustodyTx,
  type EnrolTx,
  type RecordRelation,
  type RecordTx,
  type RevokeTx,
  type SignedTx,
  type TransferTx,
} from './tx.js';

/**
 * Signing and building transactions: what a CLI client needs. The signature covers a
 * domain-separated digest that names the network, so a transaction signed for `test` is invalid on `dev`.
 */

/** What signing needs to know about a network: its name (part of the signed domain). */
export interface NetworkId {
  name: string;
}

const DOMAIN = Buffer.from('carechain/tx/v1\0', 'utf8');

export function signingDigest(tx: SignedTx, network: NetworkId): Uint8Array {
  const name = Buffer.from(network.name + '\0', 'utf8');
  return sha256d(Buffer.concat([DOMAIN, name, encodeUnsigned(tx)]));
}

/** Sign in place and return the transaction; the private key must belong to `tx.sender`. */
export function signTx<T extends SignedTx>(tx: T, privateKeyHex: string, network: NetworkId): T {
  tx.signature = signMessage(privateKeyHex, signingDigest(tx, network));
  return tx;
}

/** The sender's signature, and for an enrolment the patient's countersignature too. */
export function verifyTxSignature(tx: SignedTx, network: NetworkId): boolean {
  if (!verifySignature(tx.sender, signingDigest(tx, network), tx.signature)) return false;
  return tx.kind !== 'enrol' || verifySignature(tx.patient, enrolmentDigest(network, tx.sender, tx.subject, tx.patient), tx.patientSignature);
}

const ENROL_DOMAIN = Buffer.from('carechain/enrol/v1\0', 'utf8');

/**
 * What a patient countersigns to be enrolled: this provider may link this subject pseudonym to this
 * patient key, on this network. Its own domain, so no other signature can stand in for it. It leaves
 * out the provider's sequence and fee, so a patient can sign it ahead, away from the provider's
 * wallet; an enrolment happens once per subject, so the signature cannot be replayed to any effect.
 */
export function enrolmentDigest(network: NetworkId, provider: Uint8Array, subject: Uint8Array, patient: Uint8Array): Uint8Array {
  const name = Buffer.from(network.name + '\0', 'utf8');
  return sha256d(Buffer.concat([ENROL_DOMAIN, name, provider, subject, patient]));
}

/** The patient's countersignature (hex private seed of the patient key) on an enrolment by `provider` (hex). */
export function countersignEnrolment(args: { network: NetworkId; patientPrivateKey: string; provider: string; subject: Uint8Array }): Uint8Array {
  const patient = fromHex(publicKeyOf(args.patientPrivateKey), 32);
  return signMessage(args.patientPrivateKey, enrolmentDigest(args.network, fromHex(args.provider, 32), args.subject, patient));
}

/** The salted commitment a record anchors: SHA-256(salt ‖ document). */
export function commitmentOf(salt: Uint8Array, document: Uint8Array): Uint8Array {
  return sha256(salt, document);
}

/** A fresh 32-byte salt: without one, a small document could be guessed from its hash. */
export function newSalt(): Uint8Array {
  return new Uint8Array(randomBytes(32));
}

interface SignedArgs {
  network: NetworkId;
  /** Hex private seed of the sender. */
  privateKey: string;
  /** The sender account's next sequence number. */
  sequence: number;
  fee: number;
}

export function buildTransfer(args: SignedArgs & { recipient: string; amount: number }): TransferTx {
  const tx: TransferTx = {
    kind: 'transfer',
    ...signedFields(args),
    recipient: fromHex(args.recipient, 32),
    amount: args.amount,
  };
  return signTx(tx, args.privateKey, args.network);
}

export function buildRecord(
  args: SignedArgs & {
    subject: Uint8Array;
    resourceType: string;
    commitment: Uint8Array;
    locator: string;
    previous?: { txid: Uint8Array; relation: RecordRelation };
  },
): RecordTx {
  const tx: RecordTx = {
    kind: 'record',
    ...signedFields(args),
    subject: args.subject,
    resourceType: args.resourceType,
    commitment: args.commitment,
    locator: args.locator,
  };
  if (args.previous) tx.previous = args.previous;
  return signTx(tx, args.privateKey, args.network);
}

export function buildCustody(args: SignedArgs & { record: Uint8Array; newOwner: string }): CustodyTx {
  const tx: CustodyTx = { kind: 'custody', ...signedFields(args), record: args.record, newOwner: fromHex(args.newOwner, 32) };
  return signTx(tx, args.privateKey, args.network);
}

/**
 * An enrolment signed by the provider (`privateKey`); the patient's countersignature is either made
 * here from `patientPrivateKey` or given (`patient` + `patientSignature`, made with countersignEnrolment).
 */
export function buildEnrol(
  args: SignedArgs & { subject: Uint8Array } & ({ patientPrivateKey: string } | { patient: string; patientSignature: Uint8Array }),
): EnrolTx {
  const fields = signedFields(args);
  const provider = toHex(fields.sender);
  const patient = 'patientPrivateKey' in args ? publicKeyOf(args.patientPrivateKey) : args.patient;
  const patientSignature =
    'patientPrivateKey' in args ? countersignEnrolment({ network: args.network, patientPrivateKey: args.patientPrivateKey, provider, subject: args.subject }) : args.patientSignature;
  const tx: EnrolTx = { kind: 'enrol', ...fields, subject: args.subject, patient: fromHex(patient, 32), patientSignature };
  return signTx(tx, args.privateKey, args.network);
}

/** A consent signed by the patient key (`privateKey`); actions come out in canonical order. */
export function buildConsent(
  args: SignedArgs & { subject: Uint8Array; grantee: string; actions: readonly ConsentAction[]; resourceTypes?: readonly string[]; purposes?: readonly string[]; expiry?: ConsentExpiry },
): ConsentTx {
  const tx: ConsentTx = {
    kind: 'consent',
    ...signedFields(args),
    subject: args.subject,
    grantee: fromHex(args.grantee, 32),
    actions: CONSENT_ACTIONS.filter((a) => args.actions.includes(a)),
    resourceTypes: [...(args.resourceTypes ?? [])],
    purposes: [...(args.purposes ?? [])],
  };
  if (args.expiry) tx.expiry = { ...args.expiry };
  return signTx(tx, args.privateKey, args.network);
}

/** Revokes the consent `consent` (its txid, internal byte order), signed by the patient key. */
export function buildRevoke(args: SignedArgs & { consent: Uint8Array }): RevokeTx {
  return signTx({ kind: 'revoke', ...signedFields(args), consent: args.consent }, args.privateKey, args.network);
}

/** Logs a read of the record `record` (its txid, internal byte order) for `purpose`, signed by the provider. */
export function buildAccess(args: SignedArgs & { record: Uint8Array; purpose: string }): AccessTx {
  return signTx({ kind: 'access', ...signedFields(args), record: args.record, purpose: args.purpose }, args.privateKey, args.network);
}

function signedFields(args: SignedArgs) {
  return {
    sender: fromHex(publicKeyOf(args.privateKey), 32),
    sequence: args.sequence,
    fee: args.fee,
    signature: new Uint8Array(SIGNATURE_BYTES),
  };
}
