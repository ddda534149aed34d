import { Reader, Writer } from './codec.js';
import { sha256d, toDisplayHex } from './hash.js';

/**
 * Transactions and their deterministic binary encoding; txid = SHA-256d(encoding).
 * Every field has one encoding, and decoding rejects trailing bytes, so a txid names one transaction.
 */
export type Transaction = CoinbaseTx | TransferTx | RecordTx | CustodyTx | EnrolTx | ConsentTx | RevokeTx | AccessTx;
export type SignedTx = TransferTx | RecordTx | CustodyTx | EnrolTx | ConsentTx | RevokeTx | AccessTx;

/**
 * The block reward. Wire layout: kind | height | recipient | extranonce1 | extranonce2 | value,
 * so Stratum can split it as coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2.
 */
export interface CoinbaseTx {
  kind: 'coinbase';
  height: number;
  recipient: Uint8Array;
  /** Fixed per node (4 bytes, u32 little-endian on the wire). */
  extranonce1: number;
  /** The miner's roll counter (4 bytes, u32 little-endian on the wire). */
  extranonce2: number;
  /** Subsidy + fees at most. */
  value: number;
}

/** Fields every signed transaction has: the signer's account, its replay counter and the fee. */
export interface SignedFields {
  sender: Uint8Array;
  sequence: number;
  fee: number;
  /** Ed25519 over signingDigest(); all zeros while unsigned. */
  signature: Uint8Array;
}

export interface TransferTx extends SignedFields {
  kind: 'transfer';
  recipient: Uint8Array;
  amount: number;
}

export type RecordRelation = 'replaces' | 'appends';

/** Anchors a salted document commitment for a pseudonymous subject; the signer becomes its owner. */
export interface RecordTx extends SignedFields {
  kind: 'record';
  /** HMAC pseudonym of the patient held by the provider, never a raw identifier (32 bytes). */
  subject: Uint8Array;
  /** A FHIR resource name, e.g. DocumentReference, Observation. */
  resourceType: string;
  /** SHA-256(salt ‖ document). */
  commitment: Uint8Array;
  /** The record this one amends (its txid), and how. */
  previous?: { txid: Uint8Array; relation: RecordRelation };
  /** Where the document lives (UTF-8, at most 256 bytes). */
  locator: string;
}

/** Hands a record on: only its current owner may sign one. */
export interface CustodyTx extends SignedFields {
  kind: 'custody';
  record: Uint8Array;
  newOwner: Uint8Array;
}

/**
 * Where the coinbase's fields sit in its fixed-size encoding: Stratum v1 hands a miner the bytes
 * before extranonce1 (coinb1) and after extranonce2 (coinb2), and the template leaves room for it.
 */
export const COINBASE_LAYOUT = {
  /** kind(1) | height(4) | recipient(32): coinb1 is everything before this offset. */
  extranonce1: 37,
  extranonce2: 41,
  /** value(8): coinb2. */
  value: 45,
  bytes: 53,
} as const;

/**
 * Links a provider's subject pseudonym to a patient key. Signed by the provider (the sender);
 * countersigned by the patient over enrolmentDigest (signing.ts), so nobody is enrolled by surprise.
 */
export interface EnrolTx extends SignedFields {
  kind: 'enrol';
  /** The provider's HMAC pseudonym of the patient (32 bytes). */
  subject: Uint8Array;
  /** The patient's Ed25519 public key: the key that grants and revokes consents for this subject. */
  patient: Uint8Array;
  /** Ed25519 by `patient` over enrolmentDigest(network, sender, subject, patient). */
  patientSignature: Uint8Array;
}

export type ConsentAction = 'read' | 'append' | 'amend';
/** When a consent stops: active while the block's time (or height) is below `at`; none = until revoked. */
export type ConsentExpiry = { by: 'time'; at: number } | { by: 'height'; at: number };

/** A patient's grant to a provider, signed by the patient key enrolled for the subject (the sender). */
export interface ConsentTx extends SignedFields {
  kind: 'consent';
  subject: Uint8Array;
  /** The provider key the consent is for. */
  grantee: Uint8Array;
  /** In canonical order (read, append, amend); the wire holds them as a bit set. */
  actions: ConsentAction[];
  /** FHIR resource names the consent covers; empty = every type. */
  resourceTypes: string[];
  /** v3 ActReason purpose-of-use codes (purposes.ts); empty = any purpose. */
  purposes: string[];
  expiry?: ConsentExpiry;
}

/** Ends a consent: signed by the patient key enrolled for the consent's subject. */
export interface RevokeTx extends SignedFields {
  kind: 'revoke';
  /** The consent's txid (internal byte order). */
  consent: Uint8Array;
}

/** A provider logs that it read a record, and why: valid under a read consent, or as break-glass (ETREAT). */
export interface AccessTx extends SignedFields {
  kind: 'access';
  /** The record's txid (internal byte order). */
  record: Uint8Array;
  /** A v3 ActReason purpose-of-use code. */
  purpose: string;
}

const KIND_CODES = { coinbase: 0, transfer: 1, record: 2, custody: 3, enrol: 4, consent: 5, revoke: 6, access: 7 } as const;
const RELATION_CODES = { replaces: 1, appends: 2 } as const;
/** Consent actions on the wire: one bit each, decoded back in this (canonical) order. */
export const CONSENT_ACTIONS: readonly ConsentAction[] = ['read', 'append', 'amend'];
const EXPIRY_CODES = { none: 0, time: 1, height: 2 } as const;
export const SIGNATURE_BYTES = 64;
export const MAX_LOCATOR_BYTES = 256;

export function encodeTx(tx: Transaction): Uint8Array {
  const w = new Writer(160);
  writeTx(w, tx, true);
  return w.finish();
}

/** The encoding without the signature: what the signing digest covers. */
export function encodeUnsigned(tx: SignedTx): Uint8Array {
  const w = new Writer(160);
  writeTx(w, tx, false);
  return w.finish();
}

export function decodeTx(bytes: Uint8Array): Transaction {
  const r = new Reader(bytes, 'malformed-tx');
  const tx = readTx(r);
  r.end();
  return tx;
}

export function txid(tx: Transaction): Uint8Array {
  return sha256d(encodeTx(tx));
}

/** A txid as shown to people and used as a key: display (byte-reversed) hex. */
export function txidHex(tx: Transaction): string {
  return toDisplayHex(txid(tx));
}

export function writeTx(w: Writer, tx: Transaction, withSignature: boolean): void {
  w.u8(KIND_CODES[tx.kind]);
  if (tx.kind === 'coinbase') {
    w.u32(tx.height).bytes(tx.recipient).u32(tx.extranonce1).u32(tx.extranonce2).u64(tx.value);
    return;
  }
  w.bytes(tx.sender).u32(tx.sequence).u64(tx.fee);
  switch (tx.kind) {
    case 'transfer':
      w.bytes(tx.recipient).u64(tx.amount);
      break;
    case 'record': {
      const type = Buffer.from(tx.resourceType, 'utf8');
      const locator = Buffer.from(tx.locator, 'utf8');
      if (type.length > 255) throw new RangeError('resource type longer than 255 bytes');
      if (locator.length > 0xffff) throw new RangeError('locator longer than 65535 bytes');
      w.bytes(tx.subject).u8(type.length).bytes(type).bytes(tx.commitment);
      if (tx.previous) w.u8(RELATION_CODES[tx.previous.relation]).bytes(tx.previous.txid);
      else w.u8(0);
      w.u16(locator.length).bytes(locator);
      break;
    }
    case 'custody':
      w.bytes(tx.record).bytes(tx.newOwner);
      break;
    case 'enrol':
      w.bytes(tx.subject).bytes(tx.patient).bytes(tx.patientSignature);
      break;
    case 'consent':
      w.bytes(tx.subject).bytes(tx.grantee).u8(actionBits(tx.actions));
      writeStrings(w, tx.resourceTypes, 'resource type');
      writeStrings(w, tx.purposes, 'purpose');
      if (tx.expiry) w.u8(EXPIRY_CODES[tx.expiry.by]).u32(tx.expiry.at);
      else w.u8(EXPIRY_CODES.none);
      break;
    case 'revoke':
      w.bytes(tx.consent);
      break;
    case 'access':
      w.bytes(tx.record);
      writeString(w, tx.purpose, 'purpose');
      break;
    default:
      assertNever(tx);
  }
  if (withSignature) w.bytes(tx.signature);
}

export function readTx(r: Reader): Transaction {
  const kind = r.u8();
  if (kind === KIND_CODES.coinbase) {
    return { kind: 'coinbase', height: r.u32(), recipient: r.bytes(32), extranonce1: r.u32(), extranonce2: r.u32(), value: r.u64() };
  }
  const signed = { sender: r.bytes(32), sequence: r.u32(), fee: r.u64() };
  let tx: SignedTx;
  switch (kind) {
    case KIND_CODES.transfer:
      tx = { kind: 'transfer', ...signed, recipient: r.bytes(32), amount: r.u64(), signature: new Uint8Array(0) };
      break;
    case KIND_CODES.record: {
      const subject = r.bytes(32);
      const resourceType = utf8(r, r.u8());
      const commitment = r.bytes(32);
      const relationCode = r.u8();
      let previous: RecordTx['previous'];
      if (relationCode === RELATION_CODES.replaces) previous = { relation: 'replaces', txid: r.bytes(32) };
      else if (relationCode === RELATION_CODES.appends) previous = { relation: 'appends', txid: r.bytes(32) };
      else if (relationCode !== 0) r.fail(`unknown record relation ${relationCode}`);
      const locator = utf8(r, r.u16());
      tx = { kind: 'record', ...signed, subject, resourceType, commitment, locator, signature: new Uint8Array(0) };
      if (previous) tx.previous = previous;
      break;
    }
    case KIND_CODES.custody:
      tx = { kind: 'custody', ...signed, record: r.bytes(32), newOwner: r.bytes(32), signature: new Uint8Array(0) };
      break;
    case KIND_CODES.enrol:
      tx = { kind: 'enrol', ...signed, subject: r.bytes(32), patient: r.bytes(32), patientSignature: r.bytes(SIGNATURE_BYTES), signature: new Uint8Array(0) };
      break;
    case KIND_CODES.consent: {
      const subject = r.bytes(32);
      const grantee = r.bytes(32);
      const actions = actionsOf(r, r.u8());
      const resourceTypes = readStrings(r);
      const purposes = readStrings(r);
      const expiryCode = r.u8();
      let expiry: ConsentExpiry | undefined;
      if (expiryCode === EXPIRY_CODES.time) expiry = { by: 'time', at: r.u32() };
      else if (expiryCode === EXPIRY_CODES.height) expiry = { by: 'height', at: r.u32() };
      else if (expiryCode !== EXPIRY_CODES.none) r.fail(`unknown consent expiry ${expiryCode}`);
      tx = { kind: 'consent', ...signed, subject, grantee, actions, resourceTypes, purposes, signature: new Uint8Array(0) };
      if (expiry) tx.expiry = expiry;
      break;
    }
    case KIND_CODES.revoke:
      tx = { kind: 'revoke', ...signed, consent: r.bytes(32), signature: new Uint8Array(0) };
      break;
    case KIND_CODES.access:
      tx = { kind: 'access', ...signed, record: r.bytes(32), purpose: utf8(r, r.u8()), signature: new Uint8Array(0) };
      break;
    default:
      return r.fail(`unknown transaction kind ${kind}`);
  }
  tx.signature = r.bytes(SIGNATURE_BYTES);
  return tx;
}

/** A switch over kinds that forgets one does not compile: `tx` is `never` here only when every kind has a case. */
export function assertNever(value: never): never {
  throw new Error(`unhandled kind ${JSON.stringify((value as { kind?: unknown }).kind)}`);
}

/** A short string as record's resource type is: u8 length, UTF-8 bytes. */
function writeString(w: Writer, text: string, what: string): void {
  const bytes = Buffer.from(text, 'utf8');
  if (bytes.length > 255) throw new RangeError(`${what} longer than 255 bytes`);
  w.u8(bytes.length).bytes(bytes);
}

/** A list of short strings: u8 count, then each as writeString. */
function writeStrings(w: Writer, list: readonly string[], what: string): void {
  if (list.length > 255) throw new RangeError(`more than 255 ${what}s`);
  w.u8(list.length);
  for (const text of list) writeString(w, text, what);
}

function readStrings(r: Reader): string[] {
  const count = r.u8();
  const list: string[] = [];
  for (let i = 0; i < count; i++) list.push(utf8(r, r.u8()));
  return list;
}

function actionBits(actions: readonly ConsentAction[]): number {
  let bits = 0;
  for (const action of actions) {
    const bit = CONSENT_ACTIONS.indexOf(action);
    if (bit < 0) throw new RangeError(`unknown consent action "${String(action)}"`);
    bits |= 1 << bit;
  }
  return bits;
}

/** Unknown bits are refused: they would decode to the same actions under another txid. */
function actionsOf(r: Reader, bits: number): ConsentAction[] {
  if (bits >> CONSENT_ACTIONS.length !== 0) r.fail(`unknown consent action bits 0x${bits.toString(16)}`);
  return CONSENT_ACTIONS.filter((_, i) => bits & (1 << i));
}

/** Strict UTF-8: invalid sequences would decode lossily and re-encode differently. */
function utf8(r: Reader, length: number): string {
  const bytes = r.bytes(length);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return r.fail('invalid UTF-8');
  }
}
