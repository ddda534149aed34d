import { Reader, Writer } from './codec.js';
import { encodeHeader, headerHash, readHeader, type BlockHeader } from './header.js';
import { toDisplayHex } from './hash.js';
import { merkleRoot } from './merkle.js';
import { readTx, txid, writeTx, type Transaction } from './tx.js';

/** A block: header, then a u32 count and the transactions; the first is the coinbase. */
export interface Block {
  header: BlockHeader;
  txs: Transaction[];
}

export function encodeBlock(block: Block): Uint8Array {
  const w = new Writer(1024);
  w.bytes(encodeHeader(block.header)).u32(block.txs.length);
  for (const tx of block.txs) writeTx(w, tx, true);
  return w.finish();
}

export function decodeBlock(bytes: Uint8Array): Block {
  const r = new Reader(bytes, 'malformed');
  const header = readHeader(r);
  const count = r.u32();
  // Each transaction takes at least 53 bytes: a count beyond that is a lie, not an allocation.
  if (count > r.remaining / 53) r.fail(`transaction count ${count} exceeds the block's bytes`);
  const txs: Transaction[] = [];
  for (let i = 0; i < count; i++) txs.push(readTx(r));
  r.end();
  return { header, txs };
}

/** The block hash in display order (explorer style). */
export function blockHashHex(block: Block): string {
  return toDisplayHex(headerHash(block.header));
}

/** The Merkle root of a block's transactions. */
export function computeMerkleRoot(txs: Transaction[]): Uint8Array {
  return merkleRoot(txs.map(txid));
}
