import { toHex } from './hash.js';

/**
 * An account's key (a 32-byte public key) as the ledger state indexes it: lowercase hex. Each
 * transaction's keys are converted once and remembered with the transaction's own byte arrays: the
 * mempool re-applies its pending transactions after a tip change or an eviction, and converting
 * every key again was most of that work. Transactions are never mutated once built.
 */
const keys = new WeakMap<Uint8Array, string>();

export function accountKey(bytes: Uint8Array): string {
  let key = keys.get(bytes);
  if (key === undefined) keys.set(bytes, (key = toHex(bytes)));
  return key;
}
