import { Reader, Writer } from '../chain/codec.js';
import { VerifyError } from '../chain/errors.js';
import { fromDisplayHex, toDisplayHex } from '../chain/hash.js';
import { decodeHeader, encodeHeader, HEADER_BYTES, type BlockHeader } from '../chain/header.js';
import { MAX_BLOCKS_PER_REQUEST, MAX_LOCATOR_HASHES, MAX_MEMPOOL_SYNC, TX_BATCH_MAX_BYTES, TX_BATCH_MAX_COUNT, TX_GOSSIP_MAX_BYTES } from './limits.js';

/**
 * The request/response payloads, in the project's little-endian binary style (src/chain/codec.ts).
 * Hashes travel as 32 bytes in internal order and are display hex in the code. Every decoder throws
 * a VerifyError('malformed') on anything out of shape, so a bad request is one clear answer.
 */

/** The first byte of every response message. */
export const ResponseStatus = {
  ok: 0,
  invalidRequest: 1,
  serverError: 2,
  rateLimited: 3,
  /** Not now: the peer's status is not known yet, or the node is shutting down. */
  unavailable: 4,
} as const;
export type ResponseStatusCode = (typeof ResponseStatus)[keyof typeof ResponseStatus];

/** Why a peer says goodbye (Lodestar's codes, renamed for this project). */
export const GOODBYE_REASONS = ['client-shutdown', 'wrong-network', 'too-many-peers', 'score-too-low', 'banned', 'operator'] as const;
export type GoodbyeReason = (typeof GOODBYE_REASONS)[number];

/** What each node tells the other on connect, and again now and then. */
export interface PeerStatus {
  genesisHash: string;
  tipHash: string;
  height: number;
  totalWork: bigint;
}

const ZERO_HASH = '0'.repeat(64);

export function encodeStatus(s: PeerStatus): Uint8Array {
  return new Writer(100).bytes(fromDisplayHex(s.genesisHash)).bytes(fromDisplayHex(s.tipHash)).u32(s.height).bytes(workBytes(s.totalWork)).finish();
}

export function decodeStatus(bytes: Uint8Array): PeerStatus {
  const r = new Reader(bytes);
  const status = { genesisHash: toDisplayHex(r.bytes(32)), tipHash: toDisplayHex(r.bytes(32)), height: r.u32(), totalWork: workFromBytes(r.bytes(32)) };
  r.end();
  return status;
}

export interface HeadersRequest {
  locator: string[];
  /** Stop after this hash; undefined for "as many as allowed". */
  stopHash?: string;
}

export function encodeHeadersRequest(req: HeadersRequest): Uint8Array {
  const locator = req.locator.slice(0, MAX_LOCATOR_HASHES);
  const w = new Writer(2 + 32 * (locator.length + 1)).u8(locator.length);
  for (const hash of locator) w.bytes(fromDisplayHex(hash));
  return w.bytes(fromDisplayHex(req.stopHash ?? ZERO_HASH)).finish();
}

export function decodeHeadersRequest(bytes: Uint8Array): HeadersRequest {
  const r = new Reader(bytes);
  const count = r.u8();
  if (count === 0 || count > MAX_LOCATOR_HASHES) r.fail(`a locator has 1 to ${MAX_LOCATOR_HASHES} hashes, got ${count}`);
  const locator: string[] = [];
  for (let i = 0; i < count; i++) locator.push(toDisplayHex(r.bytes(32)));
  const stop = toDisplayHex(r.bytes(32));
  r.end();
  return stop === ZERO_HASH ? { locator } : { locator, stopHash: stop };
}

export function encodeHeaders(headers: readonly BlockHeader[]): Uint8Array {
  const w = new Writer(headers.length * HEADER_BYTES);
  for (const h of headers) w.bytes(encodeHeader(h));
  return w.finish();
}

export function decodeHeaders(bytes: Uint8Array, max: number): BlockHeader[] {
  if (bytes.length % HEADER_BYTES !== 0) throw new VerifyError('malformed', `${bytes.length} bytes is not a whole number of headers`);
  const count = bytes.length / HEADER_BYTES;
  if (count > max) throw new VerifyError('malformed', `${count} headers, more than the ${max} asked for`);
  const headers: BlockHeader[] = [];
  for (let i = 0; i < count; i++) headers.push(decodeHeader(bytes.subarray(i * HEADER_BYTES, (i + 1) * HEADER_BYTES)));
  return headers;
}

export function encodeHashList(hashes: readonly string[]): Uint8Array {
  const w = new Writer(1 + 32 * hashes.length).u8(hashes.length);
  for (const hash of hashes) w.bytes(fromDisplayHex(hash));
  return w.finish();
}

export function decodeHashList(bytes: Uint8Array): string[] {
  const r = new Reader(bytes);
  const count = r.u8();
  if (count === 0 || count > MAX_BLOCKS_PER_REQUEST) r.fail(`a blocks request asks for 1 to ${MAX_BLOCKS_PER_REQUEST} hashes, got ${count}`);
  const hashes: string[] = [];
  for (let i = 0; i < count; i++) hashes.push(toDisplayHex(r.bytes(32)));
  r.end();
  return hashes;
}

/** A list answer (blocks, mempool) starts with how many items follow, one message each. */
export function encodeCount(n: number): Uint8Array {
  return new Writer(2).u16(n).finish();
}

export function decodeCount(bytes: Uint8Array, max: number): number {
  const r = new Reader(bytes);
  const n = r.u16();
  r.end();
  if (n > max) r.fail(`${n} items, more than the ${max} allowed`);
  return n;
}

/**
 * A gossiped batch of transactions: u16 count (1 to TX_BATCH_MAX_COUNT), then each transaction as
 * u16 length (1 to TX_GOSSIP_MAX_BYTES) and its bytes, nothing after. The transactions are not
 * decoded here: each goes through the admission path on its own.
 */
export function encodeTxBatch(txs: readonly Uint8Array[]): Uint8Array {
  if (txs.length === 0 || txs.length > TX_BATCH_MAX_COUNT) throw new RangeError(`a batch holds 1 to ${TX_BATCH_MAX_COUNT} transactions, not ${txs.length}`);
  const w = new Writer(2 + txs.reduce((sum, tx) => sum + 2 + tx.length, 0)).u16(txs.length);
  for (const tx of txs) {
    if (tx.length === 0 || tx.length > TX_GOSSIP_MAX_BYTES) throw new RangeError(`a gossiped transaction is 1 to ${TX_GOSSIP_MAX_BYTES} bytes, not ${tx.length}`);
    w.u16(tx.length).bytes(tx);
  }
  return w.finish();
}

export function decodeTxBatch(bytes: Uint8Array): Uint8Array[] {
  const r = new Reader(bytes);
  if (bytes.length > TX_BATCH_MAX_BYTES) r.fail(`a transaction batch is at most ${TX_BATCH_MAX_BYTES} bytes, got ${bytes.length}`);
  const count = r.u16();
  if (count === 0 || count > TX_BATCH_MAX_COUNT) r.fail(`a transaction batch holds 1 to ${TX_BATCH_MAX_COUNT} transactions, got ${count}`);
  const txs: Uint8Array[] = [];
  for (let i = 0; i < count; i++) {
    const length = r.u16();
    if (length === 0 || length > TX_GOSSIP_MAX_BYTES) r.fail(`a gossiped transaction is 1 to ${TX_GOSSIP_MAX_BYTES} bytes, got ${length}`);
    txs.push(r.bytes(length));
  }
  r.end();
  return txs;
}

export function encodeMempoolRequest(max: number): Uint8Array {
  return new Writer(2).u16(Math.min(max, MAX_MEMPOOL_SYNC)).finish();
}

export function decodeMempoolRequest(bytes: Uint8Array): number {
  const r = new Reader(bytes);
  const max = r.u16();
  r.end();
  return Math.min(max, MAX_MEMPOOL_SYNC);
}

export function encodePing(nonce: bigint): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, nonce, true);
  return out;
}

export function decodePing(bytes: Uint8Array): bigint {
  if (bytes.length !== 8) throw new VerifyError('malformed', `a ping is 8 bytes, got ${bytes.length}`);
  return new DataView(bytes.buffer, bytes.byteOffset, 8).getBigUint64(0, true);
}

export function encodeGoodbye(reason: GoodbyeReason): Uint8Array {
  return Uint8Array.of(GOODBYE_REASONS.indexOf(reason) + 1);
}

/** An unknown code is kept as 'operator' rather than refused: a goodbye is a courtesy either way. */
export function decodeGoodbye(bytes: Uint8Array): GoodbyeReason {
  if (bytes.length !== 1) throw new VerifyError('malformed', `a goodbye is 1 byte, got ${bytes.length}`);
  return GOODBYE_REASONS[bytes[0]! - 1] ?? 'operator';
}

/** Total work as 32 big-endian bytes (it can pass 2^64). */
function workBytes(work: bigint): Uint8Array {
  if (work < 0n || work >= 1n << 256n) throw new RangeError('total work out of range');
  return Uint8Array.from(Buffer.from(work.toString(16).padStart(64, '0'), 'hex'));
}

function workFromBytes(bytes: Uint8Array): bigint {
  return BigInt('0x' + Buffer.from(bytes).toString('hex'));
}
