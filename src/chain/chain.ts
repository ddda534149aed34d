import { EventEmitter } from 'node:events';
import type { AdmissionResult, BlockInfo, BlockSource, ChainEvents, ChainOptions, HeadersResult, PreparedTx, SubmitResult, TipInfo, TxInfo, TxOrigin } from './chain-types.js';
import { randomInt } from 'node:crypto';
import { crc32 } from 'node:zlib';
import { BlockLog, type Recovery } from '../store/block-log.js';
import { nameLoggedBlock } from './block-name.js';
import { decodeBlock, encodeBlock, type Block } from './block.js';
import { BodyCache } from './body-cache.js';
import { ancestry, findFork, nextBlockRules, pathFrom, type BlockEntry } from './block-index.js';
import { BlockTree, hashOfHeader } from './block-tree.js';
import { penaltyOf, VerifyError } from './errors.js';
import { headerHash, type BlockHeader } from './header.js';
import { fromDisplayHex, fromHex, sha256d, toDisplayHex } from './hash.js';
import { Mempool, DEFAULT_MEMPOOL_LIMITS, type MempoolEntry } from './mempool.js';
import { getNetwork, subsidyAt, type Network } from './network.js';
import { makeReceipt, MAX_RECEIPT_HEADERS, type Receipt } from './receipt.js';
import { LedgerState, type Account, type AuditEntry, type RecordState, type UndoLog } from './state.js';
import { lockedAt } from './rules/signed.js';
import type { ConsentReader } from './consent-store.js';
import type { ConsentPoint } from './consent-check.js';
import { blockWork, bitsToTarget, difficulty } from './target.js';
import { BlockTemplate } from './template.js';
import { COINBASE_LAYOUT, decodeTx, encodeTx, txid, txidHex, type SignedTx, type Transaction } from './tx.js';

export type { AdmissionResult, BlockInfo, BlockSource, ChainEvents, ChainOptions, HeadersResult, PreparedTx, SubmitResult, TipInfo, TxInfo, TxOrigin } from './chain-types.js';
import { checkBlockSanity, checkCoinbaseHeight, cachedSignatureCheck, checkTransaction, connectBlock, type SignatureCheck } from './validate.js';

const BODY_CACHE = 256;
/** Blocks waiting for validation; beyond this, submitBlock answers `busy` (a flooding peer cannot queue memory). */
const SUBMIT_QUEUE = 64;
/** Headers one getheaders answer carries (Bitcoin's 2000). */
export const MAX_HEADERS = 2000;

/**
 * The ledger: a tree of blocks, the main chain (most total work), its state and the mempool, over a
 * crash-safe block log. Every block is written and fsync'd before it is acknowledged or announced.
 */
export class Chain extends EventEmitter<ChainEvents> {
  readonly mempool: Mempool;
  /** What opening the log had to repair or rewrite (a torn tail after a crash, kept aside; a format-1 log). */
  recovery: Recovery = { truncatedBytes: 0 };
  private log!: BlockLog;
  private readonly tree: BlockTree;
  private main: BlockEntry[] = [];
  private readonly undoLogs = new Map<BlockEntry, UndoLog>();
  private readonly txIndex = new Map<string, { entry: BlockEntry; index: number }>();
  private state = new LedgerState();
  private readonly bodies: BodyCache;
  private readonly signatureCheck: SignatureCheck;
  private queue: Promise<unknown> = Promise.resolve();
  private closing: Promise<void> | undefined;
  /** Blocks in the submit queue, by hash: a second submission waits for the first's answer. */
  private readonly queued = new Map<string, Promise<SubmitResult>>();
  private readonly maxQueued: number;
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
    }, { nameBlock: nameLoggedBlock });
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
    this.maxQueued = options.submitQueue ?? SUBMIT_QUEUE;
    this.mempool = new Mempool(this.state, { ...DEFAULT_MEMPOOL_LIMITS, ...options.mempool }, () => ({
      height: this.tipEntry.height + 1,
      // The time the next template will carry: a transaction valid then (a consent not yet expired)
      // is valid in the block the miner builds, even when block times run ahead of the clock.
      time: this.nextBlockTime(),
      coinbaseMaturity: this.network.coinbaseMaturity,
    }));
    const genesis = this.network.genesis;
    const hash = toDisplayHex(headerHash(genesis.header));
    const entry: BlockEntry = { hash, header: genesis.header, height: 0, parent: null, totalWork: blockWork(bitsToTarget(genesis.header.bits)), offset: -1, status: 'stored' };
    this.tree = new BlockTree(this.network, entry);
    this.bodies.pin(hash, genesis);
    this.connectTip(entry);
  }

  readonly network: Network;

  // ---- writes ---------------------------------------------------------------------------------

  /**
   * The one way in for blocks, whatever their source. Validate a block and, when valid, append it to
   * the log (fsync'd) before answering; it becomes the tip when its branch has the most work (a reorg
   * when that branch is not the current one). Blocks are processed one at a time, in order; a block
   * already waiting is not validated twice, and a full queue answers `busy` to peers and the API.
   */
  submitBlock(input: Block | Uint8Array, source: BlockSource): Promise<SubmitResult> {
    let block: Block;
    try {
      block = input instanceof Uint8Array ? decodeBlock(input) : input;
    } catch (err) {
      if (!(err instanceof VerifyError)) throw err;
      return Promise.resolve(this.rejected(undefined, err, source));
    }
    const hash = hashOfHeader(block.header);
    const waiting = this.queued.get(hash);
    if (waiting) return waiting;
    // Our own miners find a block per job at most, and a found block must never be dropped: only
    // peers and the API, which anyone can flood, meet the bound.
    const bounded = source === 'peer' || source === 'api';
    if (bounded && this.queued.size >= this.maxQueued) return Promise.resolve({ status: 'busy', hash });
    const bytes = input instanceof Uint8Array ? input : undefined;
    const result = this.enqueue(() => this.submitNow(block, hash, bytes, source));
    this.queued.set(hash, result);
    void result.finally(() => this.queued.delete(hash)).catch(() => undefined);
    return result;
  }

  /**
   * Headers-first: validate a run of headers as a chain (each linking to the one before, the first
   * to a known block; proof of work, bits by the retarget rule, median time past, the future limit)
   * and keep them as header-only entries, so the node knows the most-work chain before it has the
   * bodies. Nothing is written: headers are cheap to fetch again after a restart.
   */
  submitHeaders(headers: BlockHeader[], source: BlockSource): Promise<HeadersResult> {
    return this.enqueue(async () => this.addHeaders(headers, source));
  }

  /** Whether the chain holds this block's body or is about to validate it (header-only entries do not count). */
  has(hash: string): boolean {
    const key = hash.toLowerCase();
    const entry = this.tree.get(key);
    return (entry !== undefined && entry.status !== 'header' && entry.status !== 'invalid') || this.queued.has(key);
  }

  /** Why a block is known invalid, if it is: a repeat is refused without validating it again. */
  knownInvalid(hash: string): string | undefined {
    return this.tree.invalidReason(hash.toLowerCase());
  }

  /** Admit a transaction (object, encoded bytes or hex) to the mempool, or say why not. */
  /**
   * Admit a transaction (object, encoded bytes or hex) to the mempool at once, in memory only, or
   * say why not. The node's one door for transactions is src/node/admission.ts, which journals a
   * transaction to disk between prepareTransaction and commitTransaction; this is both in one step,
   * for tools and tests that need no durability.
   */
  acceptTransaction(input: Transaction | Uint8Array | string, origin: TxOrigin = 'api'): AdmissionResult {
    let id: string | undefined;
    try {
      const prepared = this.prepareTransaction(input);
      id = prepared.txid;
      this.commitTransaction(prepared, origin);
    } catch (err) {
      if (!(err instanceof VerifyError)) throw err;
      this.emit('tx-rejected', { ...(id ? { txid: id } : {}), reason: err.reason, message: err.message });
      return { accepted: false, ...(id ? { txid: id } : {}), reason: err.reason, message: err.message };
    }
    return { accepted: true, txid: id };
  }

  /**
   * Every check a transaction must pass to enter the mempool, with no side effect: decoding, the
   * mempool's policy (cheap, so spam below the minimum fee costs no signature check), the kind's
   * stateless rules and the signature, then its state rules on top of `over` (the pending state by
   * default; the admission path adds the transactions it is still writing to disk). Throws a
   * VerifyError.
   */
  prepareTransaction(input: Transaction | Uint8Array | string, over?: LedgerState): PreparedTx {
    const tx = typeof input === 'string' ? decodeHex(input) : input instanceof Uint8Array ? decodeTxBytes(input) : input;
    if (tx.kind === 'coinbase') throw new VerifyError('coinbase-not-allowed', 'a coinbase only comes in a block');
    const bytes = input instanceof Uint8Array ? input : encodeTx(tx);
    const hash = sha256d(bytes);
    const txid = toDisplayHex(hash);
    if (this.txIndex.has(txid)) throw new VerifyError('already-mined', `${txid} is already in block ${this.txIndex.get(txid)!.entry.hash}`);
    this.mempool.checkPolicy(tx, txid, bytes.length);
    checkTransaction(tx, hash, this.signatureCheck);
    const after = this.mempool.checkState(tx, txid, over);
    return { tx, txid, bytes, size: bytes.length, after };
  }

  /**
   * Put a prepared transaction into the mempool (its policy and state checked again: the tip may
   * have moved since it was prepared) and announce it ('tx-accepted'); report what it evicted
   * ('tx-evicted'). Throws a VerifyError and changes nothing when it no longer fits.
   */
  commitTransaction(prepared: PreparedTx, origin: TxOrigin): void {
    const { entry, evicted } = this.mempool.add(prepared.tx, prepared.txid, prepared.size);
    for (const e of evicted) this.emit('tx-evicted', { txid: e.entry.txid, feeRate: e.entry.feeRate, lostTo: e.lostTo, dependedOnEvicted: e.dependedOnEvicted === true });
    this.emit('tx-accepted', { txid: entry.txid, origin });
  }

  /**
   * A block template on the tip for `recipient` (hex public key): mempool transactions by fee
   * rate within the size limit, the coinbase claiming subsidy + fees.
   */
  template(recipient: string, options: { time?: number; extranonce1?: number } = {}): BlockTemplate {
    const tip = this.tipEntry;
    const rules = nextBlockRules(this.network, tip);
    const chosen = this.mempool.select(this.network.maxBlockBytes - 80 - 4 - COINBASE_LAYOUT.bytes);
    const txs = chosen.map((e) => e.tx);
    const fees = txs.reduce((sum, tx) => sum + tx.fee, 0);
    // The pool knows every txid: the template's Merkle branch need not encode and hash them again.
    const txids = chosen.map((e) => fromDisplayHex(e.txid));
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
      txids,
    });
  }

  /** Bytes in the block log. */
  get storeBytes(): number {
    return this.log.bytes;
  }

  /** Finish what is queued and close the log. Safe to call twice. */
  close(): Promise<void> {
    this.closing ??= this.queue.then(() => this.log.close());
    return this.closing;
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

  /**
   * Bitcoin's block locator from the tip: the last 10 blocks one by one, then exponentially sparser,
   * genesis last. A peer finds the newest hash it shares with us in it.
   */
  locator(): string[] {
    const hashes: string[] = [];
    let step = 1;
    for (let h = this.tipEntry.height; h > 0; h -= step) {
      hashes.push(this.main[h]!.hash);
      if (hashes.length >= 10) step *= 2;
    }
    hashes.push(this.main[0]!.hash);
    return hashes;
  }

  /**
   * Main-chain headers after the newest locator hash on our main chain (after genesis when none is),
   * up to and including `stopHash`, at most `max` (≤ MAX_HEADERS): a peer's getheaders answer.
   */
  headersAfter(locator: readonly string[], stopHash?: string, max = MAX_HEADERS): BlockHeader[] {
    let start = 0;
    for (const hash of locator) {
      const entry = this.tree.get(hash.toLowerCase());
      if (entry && this.main[entry.height] === entry) {
        start = entry.height;
        break;
      }
    }
    const headers: BlockHeader[] = [];
    const stop = stopHash?.toLowerCase();
    for (let h = start + 1; h < this.main.length && headers.length < Math.min(max, MAX_HEADERS); h++) {
      headers.push(this.main[h]!.header);
      if (this.main[h]!.hash === stop) break;
    }
    return headers;
  }

  /** The most-work chain the node knows of, bodies or not: what sync catches up to. */
  bestHeader(): { hash: string; height: number; totalWork: bigint } {
    const best = this.tree.bestHeader;
    return { hash: best.hash, height: best.height, totalWork: best.totalWork };
  }

  /** Blocks of the best header chain whose bodies are still missing, oldest first, at most `max`. */
  missingBodies(max: number): { hash: string; height: number }[] {
    return this.tree.missingBodies(max).map((e) => ({ hash: e.hash, height: e.height }));
  }

  /** A known header (body or not) by hash. */
  header(hash: string): { header: BlockHeader; height: number; hasBody: boolean; mainChain: boolean } | undefined {
    const entry = this.tree.get(hash.toLowerCase());
    if (!entry || entry.status === 'invalid') return undefined;
    return { header: entry.header, height: entry.height, hasBody: entry.status !== 'header', mainChain: this.main[entry.height] === entry };
  }

  /** The bits the next block must carry. */
  nextBits(): number {
    return nextBlockRules(this.network, this.tipEntry).bits;
  }

  blockByHash(hash: string): BlockInfo | undefined {
    const entry = this.tree.get(hash.toLowerCase());
    return entry && entry.status !== 'invalid' && entry.status !== 'header' ? this.blockInfo(entry) : undefined;
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

  /** Proof that a transaction is in a main-chain block, with the headers on top: checkable offline with verifyReceipt. */
  receipt(id: string): Receipt | undefined {
    const at = this.txIndex.get(id.toLowerCase());
    if (!at) return undefined;
    const above = this.mainHeaders(at.entry.height + 1, MAX_RECEIPT_HEADERS);
    return makeReceipt(this.network.name, this.body(at.entry), at.index, at.entry, above, this.confirmations(at.entry));
  }

  /** Main-chain headers from `height` up, at most `count`, oldest first (fewer at the tip). */
  mainHeaders(height: number, count: number): BlockHeader[] {
    return this.main.slice(height, height + count).map((e) => e.header);
  }

  /**
   * Confirmed balance and sequence, the part of the balance the next block may not spend yet
   * (coinbase rewards short of maturity), and the next sequence counting pending transactions.
   */
  account(key: string): Account & { locked: number; pendingSequence: number } {
    const k = key.toLowerCase();
    const account = this.state.account(k);
    const locked = lockedAt(account, this.tip().height + 1, this.network.coinbaseMaturity);
    return { ...account, locked, pendingSequence: this.mempool.pendingState().account(k).sequence };
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

  /**
   * The patients' side of the state at the tip (enrolments, consents, the access log), read-only, and
   * the point the next block is judged at: what GET /consents/check answers for by default.
   */
  consents(): { reader: ConsentReader; next: ConsentPoint } {
    return { reader: this.state.consents, next: { height: this.tipEntry.height + 1, time: this.nextBlockTime() } };
  }

  mempoolInfo(): { count: number; bytes: number } {
    return { count: this.mempool.count, bytes: this.mempool.bytes };
  }

  mempoolEntries(): MempoolEntry[] {
    return this.mempool.list();
  }

  // ---- internals ------------------------------------------------------------------------------

  /** The earliest time the next block may carry from now on: the clock, or just past the median time past. */
  private nextBlockTime(): number {
    const tip = this.tipEntry;
    if (this.nextTimeFloor?.tip !== tip) this.nextTimeFloor = { tip, time: nextBlockRules(this.network, tip).medianTimePast + 1 };
    return Math.max(this.now(), this.nextTimeFloor.time);
  }

  private nextTimeFloor: { tip: BlockEntry; time: number } | undefined;

  private get tipEntry(): BlockEntry {
    return this.main[this.main.length - 1]!;
  }

  private enqueue<T>(op: () => Promise<T>): Promise<T> {
    const result = this.queue.then(op);
    this.queue = result.catch(() => undefined);
    return result;
  }

  private async submitNow(block: Block, hash: string, bytes: Uint8Array | undefined, source: BlockSource): Promise<SubmitResult> {
    try {
      const known = this.tree.get(hash);
      if (known && known.status !== 'header' && known.status !== 'invalid') return { status: 'duplicate', hash };
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
      const offset = await this.log.append(bytes ?? encodeBlock(block));
      this.bodies.unpin(hash);
      const stored = this.insert(entry, block, offset);
      if (!becomesTip) {
        this.emit('block', { hash, height: stored.height, outcome: 'side-branch', reorgDepth: 0, source });
        return { status: 'accepted', hash, height: stored.height, outcome: 'side-branch', reorgDepth: 0 };
      }
      const moved = this.activate(stored);
      const outcome = moved.depth > 0 ? 'reorg' : 'new-tip';
      this.emit('block', { hash, height: stored.height, outcome, reorgDepth: moved.depth, source });
      this.afterTipChange(previous, moved);
      return { status: 'accepted', hash, height: stored.height, outcome, reorgDepth: moved.depth };
    } catch (err) {
      // A block that did not reach the log leaves no body behind, whatever stopped it.
      const entry = this.tree.get(hash);
      if (!entry || entry.status === 'header' || entry.status === 'invalid') this.bodies.forget(hash);
      if (!(err instanceof VerifyError)) throw err;
      this.tree.reject(hash, err.reason);
      return this.rejected(hash, err, source);
    }
  }

  private rejected(hash: string | undefined, err: VerifyError, source: BlockSource): SubmitResult {
    this.emit('block-rejected', { ...(hash ? { hash } : {}), reason: err.reason, message: err.message, source });
    return { status: 'rejected', ...(hash ? { hash } : {}), reason: err.reason, message: err.message, penalty: penaltyOf(err.reason, 'block') };
  }

  private addHeaders(headers: BlockHeader[], source: BlockSource): HeadersResult {
    let added = 0;
    let previous: string | undefined;
    for (let i = 0; i < headers.length; i++) {
      const header = headers[i]!;
      const hash = hashOfHeader(header);
      try {
        if (previous !== undefined && toDisplayHex(header.prevHash) !== previous) {
          throw new VerifyError('bad-header-chain', `header ${i} does not link to header ${i - 1}`);
        }
        const known = this.tree.get(hash);
        if (!known) {
          this.tree.add(this.tree.entryFor(header, hash, this.now()));
          added++;
        } else if (known.status === 'invalid') {
          throw new VerifyError(this.tree.invalidReason(hash) ?? 'prev-blk-invalid', `block ${hash} is known to be invalid`);
        }
      } catch (err) {
        if (!(err instanceof VerifyError)) throw err;
        this.emit('block-rejected', { hash, reason: err.reason, message: err.message, source });
        return { status: 'rejected', index: i, hash, added, reason: err.reason, message: err.message, penalty: penaltyOf(err.reason, 'block'), best: this.bestHeader() };
      }
      previous = hash;
    }
    return { status: 'accepted', added, best: this.bestHeader() };
  }

  /** Replay one logged block: it passed every check when written, so any rejection means a broken log. */
  private replayBlock(offset: number, payload: Uint8Array): void {
    const block = decodeBlock(payload);
    const hash = toDisplayHex(headerHash(block.header));
    if (this.tree.get(hash)) return;
    let entry: BlockEntry;
    try {
      entry = this.checkBlock(block, hash, undefined);
    } catch (err) {
      const reason = err instanceof VerifyError ? err.reason : String(err);
      throw new Error(`block log ${this.log?.path ?? ''}: block ${hash} at byte ${offset} fails replay (${reason}): ${(err as Error).message}`);
    }
    const stored = this.insert(entry, block, offset);
    if (stored.totalWork > this.tipEntry.totalWork) {
      try {
        this.activate(stored);
      } catch (err) {
        // Same outcome as when it was live: a branch that fails to connect stays invalid.
        if (!(err instanceof VerifyError)) throw err;
      }
    }
  }

  /**
   * Every check a block passes before it is stored: its header against the tree (parent known and
   * valid, PoW, bits, time), its parent's body stored (bodies go in in order), then its contents.
   */
  private checkBlock(block: Block, hash: string, now: number | undefined): BlockEntry {
    const entry = this.tree.entryFor(block.header, hash, now);
    const parent = entry.parent!;
    if (parent.status === 'header') throw new VerifyError('prev-blk-not-found', `parent ${parent.hash} has no body yet`);
    checkBlockSanity(block, this.network, this.signatureCheck);
    checkCoinbaseHeight(block, entry.height);
    return entry;
  }

  /** The block is in the log: its entry (the header-only one when there was one) now has a body. */
  private insert(entry: BlockEntry, block: Block, offset: number): BlockEntry {
    const stored = this.tree.add(entry);
    stored.offset = offset;
    if (stored.status === 'header') stored.status = 'stored';
    this.bodies.remember(stored.hash, block);
    return stored;
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
        if (this.tree.get(entry.hash) === entry) this.tree.reject(entry.hash, err.reason);
        else entry.status = 'invalid'; // the new block's dry run: it is not in the tree yet
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
    const { readded, dropped } = this.mempool.reset(this.state, returning, (txid) => this.txIndex.has(txid));
    const tip = this.tipEntry;
    for (const d of dropped) {
      if (!this.txIndex.has(d.entry.txid)) this.emit('tx-dropped', { txid: d.entry.txid, tx: d.entry.tx, reason: d.reason, message: d.message });
    }
    for (const e of readded) this.emit('tx-accepted', { txid: e.txid, origin: 'reorg' });
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

function decodeTxBytes(bytes: Uint8Array): Transaction {
  try {
    return decodeTx(bytes);
  } catch (err) {
    if (err instanceof VerifyError) throw err;
    throw new VerifyError('malformed-tx', (err as Error).message);
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
