import type { Block } from './block.js';
import { decodeHeader, encodeHeader, headerHash } from './header.js';
import { bytesEqual, fromHex, sha256d, toDisplayHex, toHex } from './hash.js';
import { merklePath, rootFromPath } from './merkle.js';
import { getNetwork } from './network.js';
import { commitmentOf, verifyTxSignature } from './signing.js';
import { bitsToTarget, hashMeetsTarget } from './target.js';
import { decodeTx, encodeTx, txid, type Transaction } from './tx.js';

/**
 * A receipt proves a transaction was mined: the transaction, its Merkle path and the block header.
 * Anyone can check one offline — signature, path, proof of work — without trusting the node.
 * Confirmations are the node's word at the time of issue, not something the receipt proves.
 */
export interface Receipt {
  version: 1;
  network: string;
  /** Display hex. */
  txid: string;
  /** Hex of the encoded transaction. */
  tx: string;
  /** Display hex of the block hash. */
  blockHash: string;
  height: number;
  /** Position of the transaction in the block (drives left/right in the path). */
  index: number;
  /** Sibling hashes from the leaf upwards, plain hex in internal byte order. */
  merklePath: string[];
  /** Hex of the 80-byte header. */
  header: string;
  confirmations: number;
}

/** The receipt of transaction `index` of `block`, the main-chain block `at`. */
export function makeReceipt(network: string, block: Block, index: number, at: { hash: string; height: number }, confirmations: number): Receipt {
  const ids = block.txs.map(txid);
  return {
    version: 1,
    network,
    txid: toDisplayHex(ids[index]!),
    tx: toHex(encodeTx(block.txs[index]!)),
    blockHash: at.hash,
    height: at.height,
    index,
    merklePath: merklePath(ids, index).map(toHex),
    header: toHex(encodeHeader(block.header)),
    confirmations,
  };
}

export type ReceiptFailure =
  | 'malformed'
  | 'unknown-network'
  | 'bad-txid'
  | 'bad-signature'
  | 'bad-merkle-root'
  | 'bad-block-hash'
  | 'bad-diffbits'
  | 'high-hash'
  | 'not-a-record'
  | 'bad-commitment';

export interface ReceiptCheck {
  name: 'format' | 'txid' | 'signature' | 'merkle-path' | 'proof-of-work' | 'commitment';
  ok: boolean;
  detail: string;
}

export interface ReceiptVerdict {
  valid: boolean;
  /** The first failure, when invalid. */
  reason?: ReceiptFailure;
  checks: ReceiptCheck[];
  tx?: Transaction;
}

/** Check a receipt (parsed JSON); given the document and its salt, also the record's commitment. */
export function verifyReceipt(input: unknown, opening?: { document: Uint8Array; salt: Uint8Array }): ReceiptVerdict {
  const checks: ReceiptCheck[] = [];
  let reason: ReceiptFailure | undefined;
  const check = (name: ReceiptCheck['name'], ok: boolean, detail: string, failure: ReceiptFailure) => {
    checks.push({ name, ok, detail });
    if (!ok && !reason) reason = failure;
    return ok;
  };
  const verdict = () => ({ valid: reason === undefined, ...(reason ? { reason } : {}), checks });

  let parsed: ReturnType<typeof parseReceipt>;
  try {
    parsed = parseReceipt(input);
  } catch (err) {
    check('format', false, (err as Error).message, 'malformed');
    return verdict();
  }
  const { receipt, tx, txBytes, header, path } = parsed;
  let network;
  try {
    network = getNetwork(receipt.network);
  } catch (err) {
    check('format', false, (err as Error).message, 'unknown-network');
    return verdict();
  }
  check('format', true, `${tx.kind} transaction on network ${network.name}`, 'malformed');

  const id = sha256d(txBytes);
  check('txid', toDisplayHex(id) === receipt.txid.toLowerCase(), `txid ${toDisplayHex(id)}`, 'bad-txid');

  if (tx.kind === 'coinbase') check('signature', true, 'coinbase: no signature', 'bad-signature');
  else check('signature', verifyTxSignature(tx, network), `Ed25519 by ${toHex(tx.sender)}`, 'bad-signature');

  const root = rootFromPath(id, receipt.index, path);
  check('merkle-path', bytesEqual(root, header.merkleRoot), `path of ${path.length} hashes to the header's Merkle root`, 'bad-merkle-root');

  const hash = headerHash(header);
  const headerOk = check('proof-of-work', toDisplayHex(hash) === receipt.blockHash.toLowerCase(), `header hashes to ${toDisplayHex(hash)}`, 'bad-block-hash');
  if (headerOk) {
    let target: bigint | undefined;
    try {
      target = bitsToTarget(header.bits);
    } catch {
      // reported below
    }
    if (target === undefined || target === 0n || target > network.powLimit) {
      check('proof-of-work', false, `bits 0x${header.bits.toString(16)} outside the ${network.name} limit`, 'bad-diffbits');
    } else {
      check('proof-of-work', hashMeetsTarget(hash, target), `hash ≤ target of bits 0x${header.bits.toString(16)}`, 'high-hash');
    }
  }

  if (opening) {
    if (tx.kind !== 'record') check('commitment', false, `a ${tx.kind} transaction anchors no document`, 'not-a-record');
    else {
      const ok = bytesEqual(commitmentOf(opening.salt, opening.document), tx.commitment);
      check('commitment', ok, ok ? 'SHA-256(salt ‖ document) matches the record' : 'document or salt does not match the record', 'bad-commitment');
    }
  }
  return { ...verdict(), tx };
}

function parseReceipt(input: unknown) {
  if (typeof input !== 'object' || input === null) throw new Error('a receipt is a JSON object');
  const r = input as Partial<Record<keyof Receipt, unknown>>;
  const str = (k: keyof Receipt) => {
    if (typeof r[k] !== 'string') throw new Error(`receipt field "${k}" must be a string`);
    return r[k] as string;
  };
  const index = r.index;
  if (typeof index !== 'number' || !Number.isSafeInteger(index) || index < 0) throw new Error('receipt field "index" must be a non-negative integer');
  if (!Array.isArray(r.merklePath) || !r.merklePath.every((h) => typeof h === 'string')) throw new Error('receipt field "merklePath" must be an array of hex strings');
  if (r.merklePath.length > 32) throw new Error('merklePath is longer than any block allows');
  try {
    const receipt = { ...(r as Receipt), network: str('network'), txid: str('txid'), blockHash: str('blockHash'), index };
    const txBytes = fromHex(str('tx'));
    const headerBytes = fromHex(str('header'), 80);
    const path = (r.merklePath as string[]).map((h) => fromHex(h, 32));
    return { receipt, tx: decodeTx(txBytes), txBytes, header: decodeHeader(headerBytes), path };
  } catch (err) {
    throw new Error(`receipt does not decode: ${(err as Error).message}`);
  }
}
