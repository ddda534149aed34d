import { Reader, Writer } from './codec.js';
import { sha256d, toDisplayHex } from './hash.js';

/**
 * Transactions and their deterministic binary encoding; txid = SHA-256d(encoding).
 * Every field has one encoding, and decoding rejects trailing bytes, so a txid names one transaction.
 */
export type Transaction = CoinbaseTx | TransferTx | RecordTx | CustodyTx;
export type SignedTx = TransferTx | RecordTx | CustodyTx;

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

const KIND_CODES = { coinbase: 0, transfer: 1, record: 2, custody: 3 } as const;
const RELATION_CODES = { replaces: 1, appends: 2 } as const;
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

/** Strict UTF-8: invalid sequences would decode lossily and re-encode differently. */
function utf8(r: Reader, length: number): string {
  const bytes = r.bytes(length);
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return r.fail('invalid UTF-8');
  }
}
