import { EventEmitter } from 'node:events';
import type { AdmissionResult, BlockInfo, BlockSource, ChainEvents, ChainOptions, SubmitResult, TipInfo, TxInfo } from './chain-types.js';
import { randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { BlockLog, type Recovery } from '../store/block-log.js';
import { decodeBlock, encodeBlock, type Block } from './block.js';
import { BodyCache } from './body-cache.js';
import { ancestry, findFork, nextBlockRules, pathFrom, type BlockEntry } from './block-index.js';
import { VerifyError } from './errors.js';
import { headerHash } from './header.js';
import { fromDisplayHex, fromHex, sha256d, toDisplayHex } from './hash.js';
import { Mempool, DEFAULT_MEMPOOL_LIMITS, type MempoolEntry } from './mempool.js';
import { getNetwork, subsidyAt, type Network } from './network.js';
import { makeReceipt, type Receipt } from './receipt.js';
import { LedgerState, type Account, type AuditEntry, type RecordState, type UndoLog } from './state.js';
import { blockWork, bitsToTarget, difficulty } from './target.js';
import { BlockTemplate } from './template.js';
import { COINBASE_LAYOUT, decodeTx, encodeTx, txid, txidHex, type SignedTx, type Transaction } from './tx.js';

export type { AdmissionResult, BlockInfo, BlockSource, ChainEvents, ChainOptions, SubmitResult, TipInfo, TxInfo } from './chain-types.js';
import { checkBlockSanity, checkCoinbaseHeight, checkHeaderContext, checkProofOfWork, cachedSignatureCheck, checkTransaction, connectBlock, type SignatureCheck } from './validate.js';

const BODY_CACHE = 256;

/**
 * The ledger: a tree of blocks, the main chain (most total work), its state and the mempool, over a
 * crash-safe block log. Every block is written and fsync'd before it is acknowledged or announced.
 */
export class Chain extends EventEmitter<ChainEvents> {
  readonly mempool: Mempool;
  /** What opening the log had to repair (a torn tail after a crash). */
  recovery: Recovery = { truncatedBytes: 0 };
  private log!: BlockLog;
  private readonly entries = new Map<string, BlockEntry>();
  private main: BlockEntry[] = [];
  private readonly undoLogs = new Map<BlockEntry, UndoLog>();
  private readonly txIndex = new Map<string, { entry: BlockEntry; index: number }>();
  private state = new LedgerState();
  private readonly bodies: BodyCache;
  private readonly signatureCheck: SignatureCheck;
  private queue: Promise<unknown> = Promise.resolve();
  private readonly now: () => number;
  private readonly undoWindow: number;
  private readonly extranonce1: number;

  /** Open the chain in `dataDir`, replaying (and validating) every block in its log. */
  static async open(options: ChainOptions): Promise<Chain> {
    const chain = new Chain(options);
    const tag = crc32(Buffer.from(`${chain.network.name}/${chain.network.genesisHash}`));
    chain.log = await BlockLog.open(options.dataDir, tag, ({ offset, payload }, log) => {
      chain.log = log; // a replayed reorg may read evicted bodies back
      chain.replayBlock(offset, payload);
    });
    chain.recovery = chain.log.recovery;
    chain.mempool.reset(chain.state);
    return chain;
  }

  private constructor(options: ChainOptions) {
    super();
    this.network = typeof options.network === 'object' ? options.network : getNetwork(options.network ?? 'dev');
    this.signatureCheck = cachedSignatureCheck(this.network);
    this.now = options.now ?? (() => Math.floor(Date.now() / 1000));
    this.undoWindow = options.undoWindow ?? 2_000;
    this.bodies = new BodyCache(options.bodyCache ?? BODY_CACHE);
    this.extranonce1 = options.extranonce1 ?? randomInt(2 ** 32 - 1);
    this.mempool = new Mempool(this.state, { ...DEFAULT_MEMPOOL_LIMITS, ...options.mempool });
    const genesis = this.network.genesis;
    const hash = toDisplayHex(headerHash(genesis.header));
    const entry: BlockEntry = { hash, header: genesis.header, height: 0, parent: null, totalWork: blockWork(bitsToTarget(genesis.header.bits)), offset: -1, status: 'stored' };
    this.entries.set(hash, entry);
    this.bodies.pin(hash, genesis);
    this.connectTip(entry);
  }

  readonly network: Network;

  // ---- writes ---------------------------------------------------------------------------------

  /**
   * Validate a block and, when valid, append it to the log (fsync'd) before answering. It becomes
   * the tip when its branch has the most work (a reorg when that branch is not the current one).
   */
  submitBlock(input: Block | Uint8Array, source: BlockSource): Promise<SubmitResult> {
    const result = this.queue.then(() => this.submitNow(input, source));
    this.queue = result.catch(() => undefined);
    return result;
  }

  /** Admit a transaction (object, encoded bytes or hex) to the mempool, or say why not. */
  acceptTransaction(input: Transaction | Uint8Array | string): AdmissionResult {
    let id: string | undefined;
    try {
      const tx = typeof input === 'string' ? decodeHex(input) : input instanceof Uint8Array ? decodeTx(input) : input;
      if (tx.kind === 'coinbase') throw new VerifyError('coinbase-not-allowed', 'a coinbase only comes in a block');
      const bytes = encodeTx(tx);
      const hash = sha256d(bytes);
      id = toDisplayHex(hash);
      checkTransaction(tx, hash, this.signatureCheck);
      this.mempool.add(tx, id, bytes.length);
    } catch (err) {
      if (!(err instanceof VerifyError)) throw err;
      this.emit('tx-rejected', { ...(id ? { txid: id } : {}), reason: err.reason, message: err.message });
      return { accepted: false, ...(id ? { txid: id } : {}), reason: err.reason, message: err.message };
    }
    this.emit('tx-accepted', { txid: id });
    return { accepted: true, txid: id };
  }

  /**
   * A block template on the tip for `recipient` (hex public key): mempool transactions by fee
   * rate within the size limit, the coinbase claiming subsidy + fees.
   */
  template(recipient: string, options: { time?: number; extranonce1?: number } = {}): BlockTemplate {
    const tip = this.tipEntry;
    const rules = nextBlockRules(this.network, tip);
    const txs = this.mempool.select(this.network.maxBlockBytes - 80 - 4 - COINBASE_LAYOUT.bytes);
    const fees = txs.reduce((sum, tx) => sum + tx.fee, 0);
    return new BlockTemplate({
      version: 1,
      prevHash: fromDisplayHex(tip.hash),
      height: tip.height + 1,
      bits: rules.bits,
      time: Math.max(options.time ?? this.now(), rules.medianTimePast + 1),
      txs,
      coinbaseValue: subsidyAt(this.network, tip.height + 1) + fees,
      recipient: fromHex(recipient, 32),
      extranonce1: options.extranonce1 ?? this.extranonce1,
    });
  }

  /** Bytes in the block log. */
  get storeBytes(): number {
    return this.log.bytes;
  }

  async close(): Promise<void> {
    await this.queue;
    await this.log.close();
  }

  // ---- reads ----------------------------------------------------------------------------------

  tip(): TipInfo {
    const tip = this.tipEntry;
    const rules = nextBlockRules(this.network, tip);
    return {
      hash: tip.hash,
      height: tip.height,
      header: tip.header,
      totalWork: tip.totalWork,
      difficulty: difficulty(bitsToTarget(tip.header.bits)),
      medianTimePast: rules.medianTimePast,
    };
  }

  /** The bits the next block must carry. */
  nextBits(): number {
    return nextBlockRules(this.network, this.tipEntry).bits;
  }

  blockByHash(hash: string): BlockInfo | undefined {
    const entry = this.entries.get(hash.toLowerCase());
    return entry && entry.status !== 'invalid' ? this.blockInfo(entry) : undefined;
  }

  blockByHeight(height: number): BlockInfo | undefined {
    const entry = this.main[height];
    return entry ? this.blockInfo(entry) : undefined;
  }

  /** A transaction on the main chain (with confirmations) or in the mempool. */
  transaction(id: string): TxInfo | undefined {
    const key = id.toLowerCase();
    const at = this.txIndex.get(key);
    if (at) {
      const tx = this.body(at.entry).txs[at.index]!;
      return { txid: key, tx, status: 'mined', blockHash: at.entry.hash, height: at.entry.height, index: at.index, confirmations: this.confirmations(at.entry) };
    }
    const pending = this.mempool.get(key);
    return pending ? { txid: key, tx: pending.tx, status: 'pending' } : undefined;
  }

  /** Proof that a transaction is in a main-chain block: checkable offline with verifyReceipt. */
  receipt(id: string): Receipt | undefined {
    const at = this.txIndex.get(id.toLowerCase());
    if (!at) return undefined;
    return makeReceipt(this.network.name, this.body(at.entry), at.index, at.entry, this.confirmations(at.entry));
  }

  /** Confirmed balance and sequence, plus the next sequence counting pending transactions. */
  account(key: string): Account & { pendingSequence: number } {
    const k = key.toLowerCase();
    return { ...this.state.account(k), pendingSequence: this.mempool.pendingState().account(k).sequence };
  }

  record(id: string): RecordState | undefined {
    return this.state.record(id.toLowerCase());
  }

  /** The amendment chain a record belongs to, from the first version to this one. */
  recordHistory(id: string): RecordState[] {
    const history: RecordState[] = [];
    for (let r = this.record(id); r; r = r.previous ? this.state.record(r.previous.txid) : undefined) history.push(r);
    return history.reverse();
  }

  /** Every event about a subject's records (creation, amendment, custody), oldest first. */
  auditTrail(subject: string): AuditEntry[] {
    return this.state.auditTrail(subject.toLowerCase());
  }

  mempoolInfo(): { count: number; bytes: number } {
    return { count: this.mempool.count, bytes: this.mempool.bytes };
  }

  mempoolEntries(): MempoolEntry[] {
    return this.mempool.list();
  }

  // ---- internals ------------------------------------------------------------------------------

  private get tipEntry(): BlockEntry {
    return this.main[this.main.length - 1]!;
  }

  private async submitNow(input: Block | Uint8Array, source: BlockSource): Promise<SubmitResult> {
    let hash: string | undefined;
    try {
      const block = input instanceof Uint8Array ? decodeBlock(input) : input;
      hash = toDisplayHex(headerHash(block.header));
      if (this.entries.has(hash)) return { status: 'duplicate', hash };
      const entry = this.checkBlock(block, hash, this.now());
      const previous = this.tipEntry;
      const becomesTip = entry.totalWork > previous.totalWork;
      // Not in the log until validated: kept through however many bodies the dry run reads.
      this.bodies.pin(hash, block);
      if (becomesTip) {
        // Dry run: prove the branch connects before anything is written, then step back.
        this.activate(entry);
        this.activate(previous);
        if (this.mempool.base !== this.state) this.mempool.reset(this.state);
      }
      entry.offset = await this.log.append(input instanceof Uint8Array ? input : encodeBlock(block));
      this.bodies.unpin(hash);
      this.insert(entry, block);
      if (!becomesTip) {
        this.emit('block', { hash, height: entry.height, outcome: 'side-branch', reorgDepth: 0, source });
        return { status: 'accepted', hash, height: entry.height, outcome: 'side-branch', reorgDepth: 0 };
      }
      const moved = this.activate(entry);
      const outcome = moved.depth > 0 ? 'reorg' : 'new-tip';
      this.emit('block', { hash, height: entry.height, outcome, reorgDepth: moved.depth, source });
      this.afterTipChange(previous, moved);
      return { status: 'accepted', hash, height: entry.height, outcome, reorgDepth: moved.depth };
    } catch (err) {
      // A block that did not reach the index leaves no body behind, whatever stopped it.
      if (hash && !this.entries.has(hash)) this.bodies.forget(hash);
      if (!(err instanceof VerifyError)) throw err;
      this.emit('block-rejected', { ...(hash ? { hash } : {}), reason: err.reason, message: err.message, source });
      return { status: 'rejected', ...(hash ? { hash } : {}), reason: err.reason, message: err.message };
    }
  }

  /** Replay one logged block: it passed every check when written, so any rejection means a broken log. */
  private replayBlock(offset: number, payload: Uint8Array): void {
    const block = decodeBlock(payload);
    const hash = toDisplayHex(headerHash(block.header));
    if (this.entries.has(hash)) return;
    let entry: BlockEntry;
    try {
      entry = this.checkBlock(block, hash, undefined);
    } catch (err) {
      const reason = err instanceof VerifyError ? err.reason : String(err);
      throw new Error(`block log ${this.log?.path ?? ''}: block ${hash} at byte ${offset} fails replay (${reason}): ${(err as Error).message}`);
    }
    entry.offset = offset;
    this.insert(entry, block);
    if (entry.totalWork > this.tipEntry.totalWork) {
      try {
        this.activate(entry);
      } catch (err) {
        // Same outcome as when it was live: a branch that fails to connect stays invalid.
        if (!(err instanceof VerifyError)) throw err;
      }
    }
  }

  /** Every check a block passes before it is stored: parent known and valid, PoW, bits, time, contents. */
  private checkBlock(block: Block, hash: string, now: number | undefined): BlockEntry {
    const parent = this.entries.get(toDisplayHex(block.header.prevHash));
    if (!parent) throw new VerifyError('prev-blk-not-found', `parent ${toDisplayHex(block.header.prevHash)} unknown`);
    if (parent.status === 'invalid') throw new VerifyError('prev-blk-invalid', `parent ${parent.hash} is invalid`);
    const target = checkProofOfWork(block.header, fromDisplayHex(hash), this.network);
    const rules = nextBlockRules(this.network, parent);
    checkHeaderContext(block, this.network, {
      height: parent.height + 1,
      expectedBits: rules.bits,
      medianTimePast: rules.medianTimePast,
      ...(now !== undefined ? { now } : {}),
    });
    checkBlockSanity(block, this.network, this.signatureCheck);
    checkCoinbaseHeight(block, parent.height + 1);
    return { hash, header: block.header, height: parent.height + 1, parent, totalWork: parent.totalWork + blockWork(target), offset: -1, status: 'stored' };
  }

  private insert(entry: BlockEntry, block: Block): void {
    this.entries.set(entry.hash, entry);
    this.bodies.remember(entry.hash, block);
  }

  /**
   * Make `target` the tip: disconnect back to the fork, connect the branch. If a branch block
   * fails, it is marked invalid, the old tip is restored and the VerifyError rethrown.
   */
  private activate(target: BlockEntry): { depth: number; disconnected: Block[] } {
    const from = this.tipEntry;
    const fork = findFork(from, target);
    const depth = from.height - fork.height;
    const disconnected: Block[] = [];
    if (depth > 0 && !this.undoLogs.has(this.main[fork.height + 1]!)) {
      for (let h = fork.height + 1; h <= from.height; h++) disconnected.unshift(this.body(this.main[h]!));
      this.rebuildTo(fork);
    } else {
      while (this.tipEntry !== fork) disconnected.push(this.disconnectTip());
    }
    for (const entry of pathFrom(fork, target)) {
      try {
        this.connectTip(entry);
      } catch (err) {
        if (!(err instanceof VerifyError)) throw err;
        entry.status = 'invalid';
        this.activate(from);
        throw err;
      }
    }
    return { depth, disconnected };
  }

  private connectTip(entry: BlockEntry): void {
    const block = this.body(entry);
    const ids = block.txs.map(txid);
    const undo = connectBlock(this.state, block, ids, entry.height, this.network);
    this.undoLogs.set(entry, undo);
    const stale = this.main[entry.height - this.undoWindow];
    if (stale) this.undoLogs.delete(stale);
    ids.forEach((id, index) => this.txIndex.set(toDisplayHex(id), { entry, index }));
    this.main.length = entry.height;
    this.main.push(entry);
    entry.status = 'valid';
  }

  private disconnectTip(): Block {
    const entry = this.tipEntry;
    const block = this.body(entry);
    this.state.undo(this.undoLogs.get(entry)!);
    this.undoLogs.delete(entry);
    for (const tx of block.txs) this.txIndex.delete(txidHex(tx));
    this.main.pop();
    return block;
  }

  /** Past the undo window: rebuild state from genesis up to `fork` (those blocks were valid). */
  private rebuildTo(fork: BlockEntry): void {
    const path = ancestry(fork, fork.height + 1);
    this.state = new LedgerState();
    this.undoLogs.clear();
    this.txIndex.clear();
    this.main = [];
    for (const entry of path) this.connectTip(entry);
  }

  private afterTipChange(previous: BlockEntry, moved: { depth: number; disconnected: Block[] }): void {
    const returning = moved.disconnected
      .reverse()
      .flatMap((b) => b.txs)
      .filter((tx): tx is SignedTx => tx.kind !== 'coinbase')
      .map((tx) => ({ tx, txid: txidHex(tx), size: encodeTx(tx).length }));
    this.mempool.reset(this.state, returning);
    const tip = this.tipEntry;
    this.emit('tip', {
      hash: tip.hash,
      height: tip.height,
      previousHash: previous.hash,
      reorgDepth: moved.depth,
      time: tip.header.time,
      difficulty: difficulty(bitsToTarget(tip.header.bits)),
    });
  }

  private body(entry: BlockEntry): Block {
    const cached = this.bodies.get(entry.hash);
    if (cached) return cached;
    const block = decodeBlock(this.log.read(entry.offset));
    this.bodies.remember(entry.hash, block);
    return block;
  }


  private blockInfo(entry: BlockEntry): BlockInfo {
    const mainChain = this.main[entry.height] === entry;
    return { hash: entry.hash, height: entry.height, block: this.body(entry), confirmations: this.confirmations(entry), mainChain, totalWork: entry.totalWork };
  }

  private confirmations(entry: BlockEntry): number {
    return this.main[entry.height] === entry ? this.tipEntry.height - entry.height + 1 : 0;
  }

}

function decodeHex(hex: string): Transaction {
  try {
    return decodeTx(fromHex(hex.trim()));
  } catch (err) {
    if (err instanceof VerifyError) throw err;
    throw new VerifyError('malformed-tx', (err as Error).message);
  }
}
