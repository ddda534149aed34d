import type { Block } from './block.js';
import { checkHeaderRun, targetWithin, workOf, type HeaderChainFailure } from './header-chain.js';
import { decodeHeader, encodeHeader, headerHash, type BlockHeader } from './header.js';
import { bytesEqual, fromHex, sha256d, toDisplayHex, toHex } from './hash.js';
import { merklePath, rootFromPath } from './merkle.js';
import { getNetwork, type Network } from './network.js';
import { commitmentOf, verifyTxSignature } from './signing.js';
import { hashMeetsTarget } from './target.js';
import { decodeTx, encodeTx, txid, type Transaction } from './tx.js';

/**
 * A receipt proves a transaction is in a block buried in the chain, checkable offline without
 * trusting the node that issued it. Version 2 carries:
 * - the transaction and its Merkle path (its place in the block);
 * - the last transaction's path, which proves the block's transaction count, so the index is proven
 *   against it (see txCountFailure);
 * - the coinbase and its path: the coinbase names the block's height;
 * - the block header, and the headers after it up to the tip at issue time — at most
 *   MAX_RECEIPT_HEADERS; a block buried deeper carries the first MAX_RECEIPT_HEADERS after it, and
 *   its depth beyond them is for an anchor to prove.
 * Headers alone prove work, not which chain they belong to: anyone can mine a block and a chain of
 * headers on top on their own. What ties a receipt to the real chain is an anchor — a node's best
 * chain, a checkpoint, or a headers file from genesis. Without one, a receipt is valid but
 * unanchored, and verification says what forging it would have cost.
 */
export interface Receipt {
  version: 2;
  network: string;
  /** Display hex. */
  txid: string;
  /** Hex of the encoded transaction. */
  tx: string;
  /** Position of the transaction in the block (its bits say left or right in the path). */
  index: number;
  /** Sibling hashes from the leaf upwards, plain hex in internal byte order. */
  merklePath: string[];
  /** Transactions in the block, proven by the last one's path. */
  txCount: number;
  lastTx: { txid: string; merklePath: string[] };
  /** The block's first transaction (hex), whose height field proves the block's height. */
  coinbase: { tx: string; merklePath: string[] };
  /** Display hex of the block hash. */
  blockHash: string;
  height: number;
  /** Hex of the 80-byte header. */
  header: string;
  /** The headers after the block (hex, oldest first), up to the tip at issue time or MAX_RECEIPT_HEADERS. */
  headers: string[];
  /** The node's count at issue time; proven as headers.length + 1. */
  confirmations: number;
}

/** The first receipts: the transaction, its path and the header; height and confirmations were the node's word. */
export interface ReceiptV1 {
  version: 1;
  network: string;
  txid: string;
  tx: string;
  blockHash: string;
  height: number;
  index: number;
  merklePath: string[];
  header: string;
  confirmations: number;
}

export const RECEIPT_VERSION = 2;
/** ~8 h of blocks on dev, 320 KB of JSON: enough burial to price a forgery, small enough to mail. */
export const MAX_RECEIPT_HEADERS = 2_000;

/** The receipt of transaction `index` of `block`, the main-chain block `at`, with the headers `above` it. */
export function makeReceipt(
  network: string,
  block: Block,
  index: number,
  at: { hash: string; height: number },
  above: BlockHeader[],
  confirmations: number,
): Receipt {
  const ids = block.txs.map(txid);
  const last = ids.length - 1;
  return {
    version: RECEIPT_VERSION,
    network,
    txid: toDisplayHex(ids[index]!),
    tx: toHex(encodeTx(block.txs[index]!)),
    index,
    merklePath: merklePath(ids, index).map(toHex),
    txCount: ids.length,
    lastTx: { txid: toDisplayHex(ids[last]!), merklePath: merklePath(ids, last).map(toHex) },
    coinbase: { tx: toHex(encodeTx(block.txs[0]!)), merklePath: merklePath(ids, 0).map(toHex) },
    blockHash: at.hash,
    height: at.height,
    header: toHex(encodeHeader(block.header)),
    headers: above.slice(0, MAX_RECEIPT_HEADERS).map((h) => toHex(encodeHeader(h))),
    confirmations,
  };
}

/** A chain to hold a receipt against: a node's best chain or a checked headers file. */
export interface AnchorChain {
  kind: 'node' | 'headers-file';
  /** How checks name it, e.g. "node http://127.0.0.1:8080". */
  name: string;
  network: string;
  tipHeight: number;
  /** The display hash of its main-chain block at `height`, where it holds one. */
  hashAt(height: number): string | undefined;
}

/** A block its user trusts: the receipt's chain must pass through it. */
export interface Checkpoint {
  height: number;
  /** Display hex. */
  hash: string;
}

export interface VerifyOptions {
  /** The document and its salt: also check the record's commitment. */
  opening?: { document: Uint8Array; salt: Uint8Array };
  checkpoints?: Checkpoint[];
  chains?: AnchorChain[];
  /** The verifier's clock in seconds (default: now), for headers too far in the future. */
  now?: number;
}

export type ReceiptFailure =
  | 'malformed'
  | 'bad-version'
  | 'unknown-network'
  | 'bad-txid'
  | 'bad-signature'
  | 'bad-index'
  | 'bad-merkle-root'
  | 'bad-tx-count'
  | 'bad-coinbase'
  | 'bad-height'
  | 'bad-block-hash'
  | 'bad-diffbits'
  | 'high-hash'
  | HeaderChainFailure
  | 'bad-confirmations'
  | 'checkpoint-not-covered'
  | 'checkpoint-mismatch'
  | 'anchor-wrong-network'
  | 'not-on-node-chain'
  | 'not-in-headers-file'
  | 'not-a-record'
  | 'bad-commitment';

export interface ReceiptCheck {
  name:
    | 'format'
    | 'network'
    | 'txid'
    | 'signature'
    | 'merkle-path'
    | 'tx-count'
    | 'height'
    | 'proof-of-work'
    | 'header-chain'
    | 'confirmations'
    | 'anchor'
    | 'commitment';
  ok: boolean;
  detail: string;
}

/** A value the receipt states, and whether verification proved it (and how) or only reports it. */
export interface ReceiptField {
  name: 'txid' | 'block' | 'height' | 'index' | 'tx-count' | 'confirmations' | 'chain';
  value: string | number;
  proven: boolean;
  how: string;
}

/** Expected hashes: what the receipt's proof of work cost, so what forging it would cost. */
export interface ReceiptWork {
  /** The block's own work. */
  block: bigint;
  /** The work of the headers carried on top of it. */
  onTop: bigint;
  headers: number;
  /** block + onTop: mining the block and every header on top from scratch. */
  forgeCost: bigint;
}

/**
 * `buried`: every check passed and an anchor puts the block on the real chain. `unanchored`: every
 * check passed, but nothing ties the headers to the real chain (or the receipt is version 1, which
 * carries none). `invalid`: a check failed; `reason` names the first.
 */
export type ReceiptStatus = 'buried' | 'unanchored' | 'invalid';

export interface ReceiptVerdict {
  /** Every check passed (buried or unanchored). */
  valid: boolean;
  status: ReceiptStatus;
  version?: 1 | 2;
  reason?: ReceiptFailure;
  checks: ReceiptCheck[];
  fields: ReceiptField[];
  work?: ReceiptWork;
  tx?: Transaction;
}

/** Check a receipt (parsed JSON) as far as it can be proven, against whatever anchors are given. */
export function verifyReceipt(input: unknown, options: VerifyOptions = {}): ReceiptVerdict {
  const list = new CheckList();
  let parsed: ParsedReceipt;
  try {
    parsed = parseReceipt(input);
  } catch (err) {
    list.add('format', false, (err as Error).message, err instanceof ReceiptFormatError ? err.reason : 'malformed');
    return list.verdict({ fields: [] });
  }
  const { version, tx, header, path, index, height } = parsed;
  list.add('format', true, `version ${version} receipt of a ${tx.kind} transaction`, 'malformed');
  let network: Network;
  try {
    network = getNetwork(parsed.network);
  } catch (err) {
    list.add('network', false, (err as Error).message, 'unknown-network');
    return list.verdict({ version, fields: [] });
  }
  list.add('network', true, `network ${network.name}`, 'unknown-network');

  const id = sha256d(parsed.txBytes);
  const txidOk = list.add('txid', toDisplayHex(id) === parsed.txid, `txid ${toDisplayHex(id)}`, 'bad-txid');

  if (tx.kind === 'coinbase') list.add('signature', true, 'coinbase: no signature', 'bad-signature');
  else list.add('signature', verifyTxSignature(tx, network), `Ed25519 by ${toHex(tx.sender)}`, 'bad-signature');

  // rootFromPath reads only as many index bits as the path is deep: any above are unproven claims.
  const depth = path.length;
  let placed = false;
  if (index >= 2 ** depth) {
    list.add('merkle-path', false, `index ${index} has bits above the path's depth ${depth} (it must be below ${2 ** depth})`, 'bad-index');
  } else {
    placed = list.add('merkle-path', bytesEqual(rootFromPath(id, index, path), header.merkleRoot), `path of ${depth} hash${depth === 1 ? '' : 'es'} from index ${index} to the header's Merkle root`, 'bad-merkle-root');
  }

  const v2 = parsed.v2;
  let countOk = false;
  let heightOk = false;
  if (v2) {
    const wrong = txCountFailure(v2.txCount, v2.lastTxid, v2.lastPath, depth, header.merkleRoot);
    countOk = list.add('tx-count', wrong === undefined, wrong ?? `${v2.txCount} transactions: the last one's path has the shape only the last leaf's has`, 'bad-tx-count');
    if (countOk) countOk = list.add('tx-count', index < v2.txCount, `index ${index} of ${v2.txCount} transactions`, 'bad-index');
    const coinbase = v2.coinbase;
    const coinbaseWrong = coinbaseFailure(coinbase, v2.coinbasePath, depth, header.merkleRoot);
    if (coinbaseWrong || coinbase?.kind !== 'coinbase') list.add('height', false, coinbaseWrong ?? 'no coinbase', 'bad-coinbase');
    else heightOk = list.add('height', coinbase.height === height, `the coinbase, proven first in the block, names height ${coinbase.height}; the receipt says ${height}`, 'bad-height');
  }

  const hash = headerHash(header);
  const hashOk = list.add('proof-of-work', toDisplayHex(hash) === parsed.blockHash, `header hashes to ${toDisplayHex(hash)}`, 'bad-block-hash');
  const target = targetWithin(network, header.bits);
  let powOk = false;
  if (hashOk) {
    if (target === undefined) list.add('proof-of-work', false, `bits 0x${header.bits.toString(16)} outside the ${network.name} limit`, 'bad-diffbits');
    else powOk = list.add('proof-of-work', hashMeetsTarget(hash, target), `hash ≤ target of bits 0x${header.bits.toString(16)}`, 'high-hash');
  }
  const fields: ReceiptField[] = [
    { name: 'txid', value: parsed.txid, proven: txidOk, how: 'SHA-256d of the transaction the receipt carries' },
    { name: 'block', value: parsed.blockHash, proven: hashOk && powOk, how: 'SHA-256d of the header the receipt carries, meeting its bits' },
  ];

  if (!v2) {
    // Version 1 carries neither the coinbase nor any header on top: nothing about burial is proven.
    fields.push(
      { name: 'height', value: height, proven: false, how: "the issuing node's word: a version 1 receipt carries no coinbase" },
      { name: 'index', value: index, proven: false, how: `only below 2^${depth} (the path's depth); the transaction count is not carried` },
      { name: 'confirmations', value: parsed.confirmations, proven: false, how: "the issuing node's word: a version 1 receipt carries no headers on top" },
      { name: 'chain', value: 'unanchored', proven: false, how: 'a version 1 receipt cannot be anchored: fetch a version 2 receipt (carechain receipt TXID)' },
    );
    checkCommitment(list, tx, options.opening);
    const blockWork = workOf(header.bits);
    return list.verdict({ version, fields, tx, work: { block: blockWork, onTop: 0n, headers: 0, forgeCost: blockWork } });
  }

  const run = [header, ...v2.headers];
  const chain = checkHeaderRun(network, height, run, options.now ?? Math.floor(Date.now() / 1000));
  const carried = v2.headers.length;
  const chainOk = chain.failure
    ? list.add('header-chain', false, chain.failure.detail, chain.failure.reason)
    : list.add(
        'header-chain',
        true,
        `${carried} headers on top link to the block and meet their bits; bits follow the retarget rule for ${chain.retargetChecked} of them and times pass the median for ${chain.timeChecked} (the rest lack their whole window in the receipt)`,
        'headers-broken-link',
      );

  const proven = carried + 1;
  const confirmationsOk =
    carried < MAX_RECEIPT_HEADERS
      ? list.add('confirmations', parsed.confirmations === proven, `${carried} headers on top prove ${proven} confirmations at issue; the receipt says ${parsed.confirmations}`, 'bad-confirmations')
      : list.add('confirmations', parsed.confirmations >= proven, `the receipt carries the most headers it may (${MAX_RECEIPT_HEADERS}): ${proven} confirmations proven; the receipt says ${parsed.confirmations}`, 'bad-confirmations');

  const anchors = checkAnchors(list, options, { network, height, blockHash: parsed.blockHash, hashes: chain.hashes.map(toDisplayHex) });
  checkCommitment(list, tx, options.opening);

  const anchored = anchors.names.length > 0 && anchors.ok;
  fields.push(
    { name: 'height', value: height, proven: heightOk, how: `named by the coinbase${anchored ? ', and the block sits at it on the anchor chain' : ''}` },
    { name: 'index', value: `${index} of ${v2.txCount}`, proven: placed && countOk, how: "the transaction's path, and the last transaction's path for the count" },
    { name: 'tx-count', value: v2.txCount, proven: countOk, how: "the last transaction's path" },
    anchors.confirmations !== undefined
      ? { name: 'confirmations', value: anchors.confirmations, proven: true, how: `now, on the anchor chain; the receipt carries ${carried} headers on top (${proven} at issue)` }
      : { name: 'confirmations', value: proven, proven: chainOk && confirmationsOk, how: `${carried} headers carried on top at issue${carried === MAX_RECEIPT_HEADERS ? ' (the most a receipt carries; the node said ' + parsed.confirmations + ')' : ''}` },
    anchored
      ? { name: 'chain', value: anchors.names.join(', '), proven: true, how: 'the block is on the chain of every anchor given' }
      : { name: 'chain', value: 'unanchored', proven: false, how: 'nothing ties these headers to the real chain: check with --node, --checkpoint or --headers' },
  );
  return list.verdict({
    version,
    fields,
    tx,
    anchored,
    work: { block: chain.baseWork, onTop: chain.workOnTop, headers: carried, forgeCost: chain.baseWork + chain.workOnTop },
  });
}

/** log2 of a work figure, for people: 2^41.3 hashes says more than 2,700,000,000,000. */
export function log2(n: bigint): number {
  if (n <= 0n) return -Infinity;
  const bits = n.toString(2).length;
  if (bits <= 53) return Math.log2(Number(n));
  const shift = bits - 53;
  return Math.log2(Number(n >> BigInt(shift))) + shift;
}

// ---- the proofs ------------------------------------------------------------------------------

/**
 * Why the last transaction's path does not prove `count`, or undefined when it does. Bitcoin's tree
 * doubles the last node of an odd level, so one root fits [a, b, c] and [a, b, c, c]. The path of
 * the real last leaf pairs its node with itself at every level where the node's position is even
 * (it is last on an odd level), and never where it is odd: a right child equal to its left sibling
 * would mean duplicate transactions, which no valid block holds. At the depth of the transaction's
 * own path (one tree, one depth), only the real count has a path of that shape. No transaction
 * encodes to 64 bytes, so no leaf can pass for an inner node.
 */
function txCountFailure(count: number, lastId: Uint8Array, lastPath: Uint8Array[], depth: number, root: Uint8Array): string | undefined {
  if (lastPath.length !== depth) return `the last transaction's path has ${lastPath.length} hashes but the transaction's has ${depth}: one tree has one depth`;
  const last = count - 1;
  if (depth === 0 ? count !== 1 : last >= 2 ** depth || last < 2 ** (depth - 1)) return `${count} transactions do not make a Merkle tree of depth ${depth}`;
  let node = lastId;
  let position = last;
  for (const [level, sibling] of lastPath.entries()) {
    const even = position % 2 === 0;
    if (even !== bytesEqual(sibling, node)) {
      return even
        ? `the node at level ${level}, position ${position}, has a sibling after it: transaction ${last} is not the block's last`
        : `the node at level ${level}, position ${position}, equals its left sibling: no block holds that transaction ${last}`;
    }
    node = even ? pairHash(node, sibling) : pairHash(sibling, node);
    position = Math.floor(position / 2);
  }
  return bytesEqual(node, root) ? undefined : "the last transaction's path does not lead to the header's Merkle root";
}

function coinbaseFailure(coinbase: Transaction | undefined, path: Uint8Array[], depth: number, root: Uint8Array): string | undefined {
  if (!coinbase || coinbase.kind !== 'coinbase') return 'the carried first transaction is not a coinbase';
  if (path.length !== depth) return `the coinbase's path has ${path.length} hashes but the transaction's has ${depth}`;
  if (!bytesEqual(rootFromPath(sha256d(encodeTx(coinbase)), 0, path), root)) return "the coinbase's path from index 0 does not lead to the header's Merkle root";
  return undefined;
}

function checkAnchors(list: CheckList, options: VerifyOptions, at: { network: Network; height: number; blockHash: string; hashes: string[] }) {
  const { network, height, blockHash, hashes } = at;
  const top = height + hashes.length - 1;
  const names: string[] = [];
  let ok = true;
  let confirmations: number | undefined;
  for (const cp of options.checkpoints ?? []) {
    const name = `checkpoint ${cp.height}:${cp.hash}`;
    names.push(name);
    const there = hashes[cp.height - height];
    if (cp.height < height || there === undefined) {
      ok = list.add('anchor', false, `${name} is outside the receipt's chain (heights ${height}..${top}): pick one in that range`, 'checkpoint-not-covered') && ok;
    } else {
      ok = list.add('anchor', there === cp.hash.toLowerCase(), there === cp.hash.toLowerCase() ? `the receipt's chain passes through ${name}` : `the receipt's chain has ${there} at height ${cp.height}, not the checkpoint's block`, 'checkpoint-mismatch') && ok;
    }
  }
  for (const chain of options.chains ?? []) {
    names.push(chain.name);
    if (chain.network !== network.name) {
      ok = list.add('anchor', false, `${chain.name} is on network ${chain.network}, the receipt on ${network.name}`, 'anchor-wrong-network') && ok;
      continue;
    }
    const missing = chain.kind === 'node' ? 'not-on-node-chain' : 'not-in-headers-file';
    const there = chain.hashAt(height);
    if (there !== blockHash) {
      const detail = there === undefined ? `${chain.name}: its best chain ends at height ${chain.tipHeight}, below the block's ${height}` : `${chain.name}: its best chain has ${there} at height ${height}, not this block`;
      ok = list.add('anchor', false, detail, missing) && ok;
      continue;
    }
    // The block is on the anchor's chain. Headers carried on top may since have been reorganised
    // away: that leaves the block buried, and only the receipt's own count out of date.
    let agree = height;
    let left: number | undefined;
    for (let h = height + 1; h <= top; h++) {
      const theirs = chain.hashAt(h);
      if (theirs === undefined) break;
      if (theirs !== hashes[h - height]) {
        left = h;
        break;
      }
      agree = h;
    }
    const now = chain.tipHeight - height + 1;
    confirmations = Math.max(confirmations ?? 0, now);
    const tail = left !== undefined ? `; its chain left the receipt's headers at height ${left} (reorganised since issue)` : `; it holds the receipt's headers up to height ${agree}`;
    list.add('anchor', true, `${chain.name}: the block is on its best chain at height ${height}, ${now} confirmations there${tail}`, missing);
  }
  return { names, ok, confirmations: ok ? confirmations : undefined };
}

function checkCommitment(list: CheckList, tx: Transaction, opening: VerifyOptions['opening']): void {
  if (!opening) return;
  if (tx.kind !== 'record') {
    list.add('commitment', false, `a ${tx.kind} transaction anchors no document`, 'not-a-record');
    return;
  }
  const ok = bytesEqual(commitmentOf(opening.salt, opening.document), tx.commitment);
  list.add('commitment', ok, ok ? 'SHA-256(salt ‖ document) matches the record' : 'document or salt does not match the record', 'bad-commitment');
}

function pairHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  const both = new Uint8Array(64);
  both.set(left, 0);
  both.set(right, 32);
  return sha256d(both);
}

class CheckList {
  readonly checks: ReceiptCheck[] = [];
  reason: ReceiptFailure | undefined;

  /** Record a check; the first failure becomes the verdict's reason. Returns `ok`. */
  add(name: ReceiptCheck['name'], ok: boolean, detail: string, failure: ReceiptFailure): boolean {
    this.checks.push({ name, ok, detail });
    if (!ok && !this.reason) this.reason = failure;
    return ok;
  }

  verdict(parts: { version?: 1 | 2; fields: ReceiptField[]; work?: ReceiptWork; tx?: Transaction; anchored?: boolean }): ReceiptVerdict {
    const valid = this.reason === undefined;
    return {
      valid,
      status: !valid ? 'invalid' : parts.anchored ? 'buried' : 'unanchored',
      ...(parts.version ? { version: parts.version } : {}),
      ...(this.reason ? { reason: this.reason } : {}),
      checks: this.checks,
      fields: parts.fields,
      ...(parts.work ? { work: parts.work } : {}),
      ...(parts.tx ? { tx: parts.tx } : {}),
    };
  }
}

// ---- parsing ---------------------------------------------------------------------------------

class ReceiptFormatError extends Error {
  constructor(
    readonly reason: 'malformed' | 'bad-version',
    message: string,
  ) {
    super(message);
  }
}

interface ParsedReceipt {
  version: 1 | 2;
  network: string;
  /** Lower-case display hex, as claimed. */
  txid: string;
  blockHash: string;
  tx: Transaction;
  txBytes: Uint8Array;
  index: number;
  path: Uint8Array[];
  header: BlockHeader;
  height: number;
  confirmations: number;
  v2?: {
    txCount: number;
    lastTxid: Uint8Array;
    lastPath: Uint8Array[];
    /** Undefined when the carried bytes do not decode as a transaction. */
    coinbase: Transaction | undefined;
    coinbasePath: Uint8Array[];
    headers: BlockHeader[];
  };
}

const V2_ONLY_FIELDS = ['txCount', 'lastTx', 'coinbase', 'headers'] as const;
/** A Merkle tree over at most 2^32 leaves; far more than a block can hold. */
const MAX_PATH = 32;

function parseReceipt(input: unknown): ParsedReceipt {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw new ReceiptFormatError('malformed', 'a receipt is a JSON object');
  const r = input as Record<string, unknown>;
  const version = r.version;
  if (version !== 1 && version !== 2) throw new ReceiptFormatError('bad-version', `version ${JSON.stringify(version)}: this carechain reads receipts of version 1 and 2`);
  if (version === 1) {
    const extra = V2_ONLY_FIELDS.filter((k) => k in r);
    if (extra.length) throw new ReceiptFormatError('bad-version', `a version 1 receipt carries no ${extra.join(', ')}: its version was changed`);
  }
  const str = (k: string, value: unknown = r[k]) => {
    if (typeof value !== 'string') throw new ReceiptFormatError('malformed', `receipt field "${k}" must be a string`);
    return value;
  };
  const count = (k: string, value: unknown = r[k]) => {
    if (typeof value !== 'number' || !Number.isSafeInteger(value) || value < 0) throw new ReceiptFormatError('malformed', `receipt field "${k}" must be a non-negative integer`);
    return value;
  };
  const hashList = (k: string, value: unknown, bytes: number, most: number) => {
    if (!Array.isArray(value) || !value.every((h) => typeof h === 'string')) throw new ReceiptFormatError('malformed', `receipt field "${k}" must be an array of hex strings`);
    if (value.length > most) throw new ReceiptFormatError('malformed', `receipt field "${k}" holds ${value.length} entries; at most ${most}`);
    return (value as string[]).map((h) => decoded(k, () => fromHex(h, bytes)));
  };
  const object = (k: string) => {
    const value = r[k];
    if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new ReceiptFormatError('malformed', `receipt field "${k}" must be an object`);
    return value as Record<string, unknown>;
  };

  const txBytes = decoded('tx', () => fromHex(str('tx')));
  const parsed: ParsedReceipt = {
    version,
    network: str('network'),
    txid: str('txid').toLowerCase(),
    blockHash: str('blockHash').toLowerCase(),
    txBytes,
    tx: decoded('tx', () => decodeTx(txBytes)),
    index: count('index'),
    path: hashList('merklePath', r.merklePath, 32, MAX_PATH),
    header: decoded('header', () => decodeHeader(fromHex(str('header'), 80))),
    height: count('height'),
    confirmations: count('confirmations'),
  };
  if (version === 2) {
    const lastTx = object('lastTx');
    const coinbase = object('coinbase');
    const txCount = count('txCount');
    if (txCount < 1) throw new ReceiptFormatError('malformed', 'receipt field "txCount" must be at least 1');
    const coinbaseBytes = decoded('coinbase.tx', () => fromHex(str('coinbase.tx', coinbase.tx)));
    let coinbaseTx: Transaction | undefined;
    try {
      coinbaseTx = decodeTx(coinbaseBytes);
    } catch {
      coinbaseTx = undefined; // reported by the height check
    }
    parsed.v2 = {
      txCount,
      lastTxid: decoded('lastTx.txid', () => fromHex(str('lastTx.txid', lastTx.txid), 32).reverse()),
      lastPath: hashList('lastTx.merklePath', lastTx.merklePath, 32, MAX_PATH),
      coinbase: coinbaseTx,
      coinbasePath: hashList('coinbase.merklePath', coinbase.merklePath, 32, MAX_PATH),
      headers: hashList('headers', r.headers, 80, MAX_RECEIPT_HEADERS).map(decodeHeader),
    };
  }
  return parsed;
}

function decoded<T>(field: string, decode: () => T): T {
  try {
    return decode();
  } catch (err) {
    throw new ReceiptFormatError('malformed', `receipt field "${field}" does not decode: ${(err as Error).message}`);
  }
}
