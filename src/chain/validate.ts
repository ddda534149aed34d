import { encodeBlock, type Block } from './block.js';
import { ensure, VerifyError } from './errors.js';
import type { BlockHeader } from './header.js';
import { bytesEqual, toDisplayHex } from './hash.js';
import { merkleRoot } from './merkle.js';
import { subsidyAt, type Network } from './network.js';
import { verifyTxSignature } from './signing.js';
import type { LedgerState, UndoLog } from './state.js';
import { bitsToTarget, hashMeetsTarget } from './target.js';
import { checkTxFields } from './rules/registry.js';
import { txid, type SignedTx, type Transaction } from './tx.js';

/**
 * The consensus rules for blocks and transactions, each written once. Stateless checks first
 * (sanity, proof of work), then those that need the parent (bits, time), then the state transition.
 * The rules of each transaction kind live in src/chain/rules/, one module per kind.
 */

/** How signatures get checked: the chain passes a cached verifier so a mempool-checked tx is not verified twice. */
export type SignatureCheck = (tx: SignedTx, id: Uint8Array) => boolean;

export function plainSignatureCheck(network: Network): SignatureCheck {
  return (tx) => verifyTxSignature(tx, network);
}

/**
 * Ed25519 verification remembered by txid: a transaction checked in the mempool is not checked again
 * in its block. The memory is dropped whole once it holds `limit` txids.
 */
export function cachedSignatureCheck(network: Network, limit = 200_000): SignatureCheck {
  const verified = new Set<string>();
  return (tx, id) => {
    const key = Buffer.from(id).toString('hex');
    if (verified.has(key)) return true;
    if (!verifyTxSignature(tx, network)) return false;
    if (verified.size >= limit) verified.clear();
    verified.add(key);
    return true;
  };
}

/** Rules a transaction obeys on its own, wherever it appears. Coinbases are checked by the block. */
export function checkTransaction(tx: Transaction, id: Uint8Array, checkSignature: SignatureCheck): void {
  if (tx.kind === 'coinbase') return;
  checkTxFields(tx);
  ensure(checkSignature(tx, id), 'bad-signature', `bad signature on ${toDisplayHex(id)}`);
}

/** Proof of work: bits within the network limit and the hash at or below the target. */
export function checkProofOfWork(header: BlockHeader, hash: Uint8Array, network: Network): bigint {
  const target = bitsToTarget(header.bits);
  ensure(target > 0n && target <= network.powLimit, 'bad-diffbits', 'target outside (0, network limit]');
  ensure(hashMeetsTarget(hash, target), 'high-hash', 'block hash above its target');
  return target;
}

/**
 * Rules needing no ancestors: the body its header commits to (Merkle root, unique txids — checked
 * first, so a body mutated in transit is told from an invalid block), size, coinbase placement, each
 * transaction. Returns the txids.
 */
export function checkBlockSanity(block: Block, network: Network, checkSignature: SignatureCheck): Uint8Array[] {
  const ids = block.txs.map(txid);
  ensure(bytesEqual(merkleRoot(ids), block.header.merkleRoot), 'bad-merkle-root', 'Merkle root does not match the transactions');
  const seen = new Set<string>();
  for (const id of ids) {
    const key = toDisplayHex(id);
    ensure(!seen.has(key), 'dup-txid', `duplicate transaction ${key}`);
    seen.add(key);
  }
  const size = encodeBlock(block).length;
  ensure(size <= network.maxBlockBytes, 'block-too-large', `${size} bytes > ${network.maxBlockBytes}`);
  ensure(block.txs[0]?.kind === 'coinbase', 'bad-cb-missing', 'the first transaction must be the coinbase');
  ensure(!block.txs.slice(1).some((tx) => tx.kind === 'coinbase'), 'bad-cb-multiple', 'only the first transaction may be a coinbase');
  block.txs.forEach((tx, i) => checkTransaction(tx, ids[i]!, checkSignature));
  return ids;
}

/** What the parent chain says about the next block. */
export interface HeaderContext {
  expectedBits: number;
  medianTimePast: number;
  /** The node's clock (s); omitted when replaying blocks already accepted. */
  now?: number;
}

/** The header rules that need the parent's chain: bits by the retarget rule, time above the median, not too far ahead. */
export function checkHeaderContext(header: BlockHeader, network: Network, ctx: HeaderContext): void {
  ensure(header.bits === ctx.expectedBits, 'bad-diffbits', `bits ${hex32(header.bits)}, expected ${hex32(ctx.expectedBits)}`);
  ensure(header.time > ctx.medianTimePast, 'time-too-old', `time ${header.time} not above median time past ${ctx.medianTimePast}`);
  if (ctx.now !== undefined) {
    ensure(header.time <= ctx.now + network.maxFutureSeconds, 'time-too-new', `time ${header.time} over ${network.maxFutureSeconds} s ahead of ${ctx.now}`);
  }
}

/** The coinbase names its block's height, so two coinbases never share a txid. Run after checkBlockSanity. */
export function checkCoinbaseHeight(block: Block, height: number): void {
  const coinbase = block.txs[0];
  ensure(coinbase?.kind === 'coinbase' && coinbase.height === height, 'bad-cb-height', `coinbase must carry height ${height}`);
}

/**
 * Apply a block's transactions in order, then check the coinbase claims no more than subsidy + fees.
 * All or nothing: on any failure the state is restored and the VerifyError rethrown.
 */
export function connectBlock(state: LedgerState, block: Block, ids: Uint8Array[], height: number, network: Network): UndoLog {
  state.beginUndo();
  try {
    let fees = 0;
    block.txs.forEach((tx, i) => {
      state.applyTransaction(tx, { txid: toDisplayHex(ids[i]!), height, time: block.header.time, coinbaseMaturity: network.coinbaseMaturity });
      if (tx.kind !== 'coinbase') fees += tx.fee;
    });
    const coinbase = block.txs[0]!;
    const allowed = subsidyAt(network, height) + fees;
    ensure(coinbase.kind === 'coinbase' && coinbase.value <= allowed, 'bad-cb-amount', `coinbase claims more than ${allowed}`);
  } catch (err) {
    state.undo(state.endUndo());
    throw err;
  }
  return state.endUndo();
}

function hex32(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}

export { VerifyError };
