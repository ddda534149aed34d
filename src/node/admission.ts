import { EventEmitter } from 'node:events';
import type { Chain } from '../chain/chain.js';
import type { AdmissionOutcome, PreparedTx, TxAdmissionPort, TxSource } from '../chain/chain-types.js';

export type { AdmissionOutcome, TxAdmissionPort, TxSource } from '../chain/chain-types.js';
import { penaltyOf, VerifyError, type RejectReason } from '../chain/errors.js';
import { sha256d, toDisplayHex, toHex } from '../chain/hash.js';
import type { LedgerState } from '../chain/state.js';
import { decodeTx, encodeTx, type SignedTx } from '../chain/tx.js';
import { DAMAGED_FILE, MempoolJournal, REJECTED_FILE, StorageError, type JournalRecord } from '../store/mempool-journal.js';
import { GoneTransactions, type GoneTransaction } from './gone-transactions.js';

/**
 * The one door for transactions into the node, whatever their source (a client now, peers too):
 *
 *   decode and validate, with no side effect  →  the journal record written in full and fsync'd
 *   →  into the mempool  →  announced ('tx-accepted' fires only after the fsync).
 *
 * Concurrent submissions share one write and one fsync (group commit); each is checked on top of
 * the ones still being written, so a wallet may send sequence n + 1 before n is on disk. A write
 * that fails admits nothing: the caller hears `unavailable` (HTTP 503 storage-unavailable with
 * Retry-After), the node keeps serving, and the next write tries again.
 *
 * Nothing acknowledged is dropped without a trace: a transaction evicted by better payers or made
 * invalid by a new tip is remembered (GET /txs/:txid answers 410) and marked in the journal; one
 * that may apply later (its funds not there yet, a sequence gap) is held and offered again on every
 * new tip; one that can never apply is saved aside in mempool.journal.rejected with its reason.
 */
/** What replaying the journal found, for the start-up log. */
export interface ReplayReport {
  restored: number;
  /** Already in a block: their job is done. */
  mined: number;
  /** Valid-looking but not applicable yet, by reason: held and offered again on every new tip. */
  held: Record<string, number>;
  /** Can never apply, by reason: saved aside in mempool.journal.rejected. */
  rejected: Record<string, number>;
  /** Lines that failed their checksum or did not parse: saved aside in mempool.journal.damaged. */
  damaged: number;
  /** Records in the format of earlier versions, read and rewritten at the next compaction. */
  legacy: number;
  /** Evictions and drops still answered with 410. */
  gone: number;
}

export interface AdmissionOptions {
  /** Seconds a client is told to wait when the disk failed (default 5). */
  retryAfterSeconds?: number;
  /** How long an evicted or dropped transaction is still answered with 410 (default 24 h). */
  goneRetentionMs?: number;
  /** Most transactions held for later (default 10,000); beyond it the oldest are saved aside. */
  maxHeld?: number;
  /** Compact once the journal holds this many records and twice what is still needed (default 1024). */
  compactMinRecords?: number;
  /**
   * How long transactions from peers are gathered before their write and fsync (default 25 ms). A
   * gossiped transaction has no client waiting on it, and one fsync per transaction would cost a
   * miner relaying 200 a second several per cent of a core; an API submission is written at once
   * and takes the gathered ones with it.
   */
  peerGatherMs?: number;
  now?: () => number;
}

export interface AdmissionEvents {
  rejected: [{ txid?: string; reason: RejectReason; source: TxSource }];
  /** A journal write failed (each failure); `recovered` follows the next one that works. */
  'storage-failed': [{ message: string; code: string }];
  'storage-recovered': [];
  evicted: [GoneTransaction];
  /** Something the journal could not keep was saved aside, or a maintenance write failed. */
  notice: [string];
  /** The journal was rewritten as what is still needed. */
  compacted: [{ before: number; after: number }];
}

interface Waiter {
  prepared: PreparedTx;
  source: TxSource;
  resolve: (outcome: AdmissionOutcome) => void;
}

interface Held {
  txid: string;
  bytes: Uint8Array;
  reason: RejectReason;
  since: number;
}

/** Reasons a transaction may stop failing for as the chain grows: it is held, not rejected. */
const MAY_APPLY_LATER: ReadonlySet<RejectReason> = new Set([
  'insufficient-funds',
  'immature-coinbase',
  'record-not-found',
  'not-record-owner',
  'mempool-full',
  'mempool-min-fee',
  'sender-limit',
  'fee-rate-too-low',
]);

export class TxAdmission extends EventEmitter<AdmissionEvents> implements TxAdmissionPort {
  private waiting: Waiter[] = [];
  private writing: Waiter[] = [];
  /** Records with no client waiting (markers, transactions a reorg returned): written with the next batch. */
  private background: JournalRecord[] = [];
  private writer: Promise<void> | null = null;
  private inflight = new Map<string, Promise<AdmissionOutcome>>();
  private staged: LedgerState | null = null;
  private readonly held = new Map<string, Held>();
  private readonly gone: GoneTransactions;
  /** Txids with a tx record in the current journal file. */
  private readonly journaled = new Set<string>();
  private aside: { file: typeof DAMAGED_FILE | typeof REJECTED_FILE; line: string }[] = [];
  private nextSeq = 0;
  private storageDown = false;
  private retryTimer: NodeJS.Timeout | undefined;
  private gatherTimer: NodeJS.Timeout | undefined;
  private readonly peerGatherMs: number;
  private closed = false;
  private readonly retryAfter: number;
  private readonly maxHeld: number;
  private readonly compactMin: number;
  private readonly now: () => number;
  private readonly unsubscribe: () => void;

  /** Open the journal in `dataDir` and replay it into the chain's mempool. Writes nothing: a node starts on a full disk. */
  static async open(chain: Chain, dataDir: string, options: AdmissionOptions = {}): Promise<{ admission: TxAdmission; report: ReplayReport }> {
    const { journal, contents } = await MempoolJournal.open(dataDir);
    const admission = new TxAdmission(chain, journal, options);
    const report = admission.replay(contents.records, contents.damaged, contents.legacy);
    return { admission, report };
  }

  private constructor(
    private readonly chain: Chain,
    private readonly journal: MempoolJournal,
    options: AdmissionOptions,
  ) {
    super();
    this.retryAfter = options.retryAfterSeconds ?? 5;
    this.maxHeld = options.maxHeld ?? 10_000;
    this.compactMin = options.compactMinRecords ?? 1024;
    this.peerGatherMs = options.peerGatherMs ?? 25;
    this.now = options.now ?? Date.now;
    this.gone = new GoneTransactions(options.goneRetentionMs ?? 24 * 3600_000, 100_000, this.now);
    const onTip = () => this.afterTip();
    const onEvicted = (e: { txid: string; feeRate: number; lostTo: number; dependedOnEvicted: boolean }) => this.onEvicted(e);
    const onDropped = (e: { txid: string; tx: SignedTx; reason: RejectReason; message: string }) => this.onDropped(e);
    const onAccepted = (e: { txid: string; origin: string }) => {
      if (e.origin === 'reorg') this.journalReturned(e.txid);
    };
    chain.on('tip', onTip);
    chain.on('tx-evicted', onEvicted);
    chain.on('tx-dropped', onDropped);
    chain.on('tx-accepted', onAccepted);
    this.unsubscribe = () => {
      chain.off('tip', onTip);
      chain.off('tx-evicted', onEvicted);
      chain.off('tx-dropped', onDropped);
      chain.off('tx-accepted', onAccepted);
    };
  }

  /** Admit a transaction; resolves once it is on disk and in the mempool, or with why not. */
  admit(raw: Uint8Array, source: TxSource): Promise<AdmissionOutcome> {
    if (this.closed) return Promise.resolve({ status: 'unavailable', message: 'the node is stopping', retryAfterSeconds: this.retryAfter });
    const txid = toDisplayHex(sha256d(raw));
    const same = this.inflight.get(txid);
    if (same) return same;
    let prepared: PreparedTx;
    try {
      prepared = this.chain.prepareTransaction(raw, this.stagedState());
    } catch (err) {
      if (!(err instanceof VerifyError)) throw err;
      return Promise.resolve(this.refusal(err, source, txid));
    }
    const outcome = new Promise<AdmissionOutcome>((resolve) => this.waiting.push({ prepared, source, resolve }));
    this.staged = prepared.after;
    this.inflight.set(txid, outcome);
    void outcome.then(() => this.inflight.delete(txid));
    this.kick();
    return outcome;
  }

  /** Why a transaction the node acknowledged is no longer pending (evicted, or invalid on a new tip). */
  goneTransaction(txid: string): GoneTransaction | undefined {
    return this.gone.get(txid.toLowerCase());
  }

  /** An acknowledged transaction waiting to become valid again (not in the mempool). */
  heldTransaction(txid: string): { tx: SignedTx; reason: RejectReason; since: number } | undefined {
    const h = this.held.get(txid.toLowerCase());
    return h ? { tx: decodeTx(h.bytes) as SignedTx, reason: h.reason, since: h.since } : undefined;
  }

  get heldCount(): number {
    return this.held.size;
  }

  /** False while journal writes fail (the node answers 503 to submissions). */
  get storageAvailable(): boolean {
    return !this.storageDown;
  }

  /** Finish writing what is in flight, then stop. */
  async close(): Promise<void> {
    this.closed = true;
    clearTimeout(this.retryTimer);
    this.flushGathered();
    this.unsubscribe();
    while (this.writer) await this.writer;
    await this.journal.close();
  }

  // ---- the write path ----------------------------------------------------------------------

  /** The pending state plus everything staged (being written or waiting to be): what a newcomer is checked on. */
  private stagedState(): LedgerState | undefined {
    if (this.staged) return this.staged;
    if (this.writing.length === 0 && this.waiting.length === 0) return undefined;
    // The tip moved or a batch landed: re-check what is still waiting on the current pending state.
    let state: LedgerState | undefined;
    for (const w of this.writing) {
      try {
        state = this.chain.prepareTransaction(w.prepared.bytes, state).after;
      } catch {
        // Already on its way to disk; its commit will say whether it still applies.
      }
    }
    const still: Waiter[] = [];
    for (const w of this.waiting) {
      try {
        w.prepared = this.chain.prepareTransaction(w.prepared.bytes, state);
        state = w.prepared.after;
        still.push(w);
      } catch (err) {
        if (!(err instanceof VerifyError)) throw err;
        w.resolve(this.refusal(err, w.source, w.prepared.txid));
      }
    }
    this.waiting = still;
    this.staged = state ?? null;
    return state;
  }

  private kick(): void {
    if (this.writer || this.closed && this.waiting.length === 0) return;
    if (!this.closed && this.peerGatherMs > 0 && this.background.length === 0 && this.waiting.every((w) => w.source === 'peer')) {
      this.gatherTimer ??= setTimeout(() => this.flushGathered(), this.peerGatherMs);
      return;
    }
    this.flushGathered();
  }

  /** Start the write loop now, with whatever was gathered. */
  private flushGathered(): void {
    clearTimeout(this.gatherTimer);
    this.gatherTimer = undefined;
    if (this.writer || this.waiting.length === 0 && this.background.length === 0) return;
    this.writer = this.writeLoop().finally(() => {
      this.writer = null;
      if (this.waiting.length > 0) this.kick();
    });
  }

  /** Group commit: everything staged so far in one write and one fsync, then into the mempool in order. */
  private async writeLoop(): Promise<void> {
    while (this.waiting.length > 0 || this.background.length > 0) {
      this.stagedState(); // re-check the waiting ones if the tip moved meanwhile
      const batch = this.waiting.splice(0);
      this.writing = batch;
      const records: JournalRecord[] = batch.map((w) => ({ type: 'tx', seq: this.nextSeq++, bytes: w.prepared.bytes }));
      const background = this.background.splice(0);
      try {
        await this.journal.append([...background, ...records]);
      } catch (err) {
        this.writing = [];
        this.staged = null;
        this.background.unshift(...background);
        this.storageFailed(err);
        const message = `the node cannot write its mempool journal (${(err as StorageError).code ?? 'EIO'}); nothing was admitted`;
        for (const w of batch) w.resolve({ status: 'unavailable', txid: w.prepared.txid, message, retryAfterSeconds: this.retryAfter });
        // What arrived meanwhile was checked on top of the failed ones: it fails with them, unwritten.
        for (const w of this.waiting.splice(0)) w.resolve({ status: 'unavailable', txid: w.prepared.txid, message, retryAfterSeconds: this.retryAfter });
        this.scheduleRetry();
        return;
      }
      this.storageRecovered();
      for (const r of background) if (r.type === 'tx') this.journaled.add(toDisplayHex(sha256d(r.bytes)));
      for (const w of batch) this.journaled.add(w.prepared.txid);
      this.writing = [];
      this.staged = null;
      for (const w of batch) w.resolve(this.commit(w));
    }
  }

  /** On disk now: into the mempool (its state checked again: the tip may have moved meanwhile). */
  private commit(w: Waiter): AdmissionOutcome {
    const { txid } = w.prepared;
    try {
      this.chain.commitTransaction(w.prepared, w.source);
      return { status: 'accepted', txid };
    } catch (err) {
      if (!(err instanceof VerifyError)) throw err;
      // Journaled but refused: say so in the journal, so a replay does not bring back what the client was told was refused.
      this.background.push({ type: 'drop', seq: this.nextSeq++, txid, reason: err.reason, at: this.now() });
      this.kick();
      return this.refusal(err, w.source, txid);
    }
  }

  private refusal(err: VerifyError, source: TxSource, txid?: string): AdmissionOutcome {
    if (err.reason === 'already-in-mempool' || err.reason === 'already-mined') return { status: 'known', txid: txid! };
    this.emit('rejected', { ...(txid ? { txid } : {}), reason: err.reason, source });
    const minFeeRate = err.reason === 'mempool-min-fee' ? this.chain.mempool.minFeeRate() : undefined;
    return { status: 'rejected', ...(txid ? { txid } : {}), reason: err.reason, message: err.message, penalty: penaltyOf(err.reason, 'tx'), ...(minFeeRate !== undefined ? { minFeeRate } : {}) };
  }

  private storageFailed(err: unknown): void {
    this.storageDown = true;
    this.emit('storage-failed', { message: (err as Error).message, code: (err as StorageError).code ?? 'EIO' });
  }

  private storageRecovered(): void {
    if (!this.storageDown) return;
    this.storageDown = false;
    clearTimeout(this.retryTimer);
    this.retryTimer = undefined;
    this.emit('storage-recovered');
  }

  /** Background records must reach the disk once it works again, even if no client writes. */
  private scheduleRetry(): void {
    if (this.retryTimer || this.closed) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      if (this.background.length > 0 || this.aside.length > 0) {
        this.kick();
        void this.maintain();
      }
    }, this.retryAfter * 1000);
    this.retryTimer.unref();
  }

  // ---- what happens to acknowledged transactions -------------------------------------------

  private onEvicted(e: { txid: string; feeRate: number; lostTo: number; dependedOnEvicted: boolean }): void {
    const gone = this.gone.add({ txid: e.txid, kind: 'evicted', reason: e.dependedOnEvicted ? 'depended on an evicted transaction' : 'evicted for better payers', feeRate: e.feeRate, lostTo: e.lostTo, at: this.now() });
    this.background.push({ type: 'evict', seq: this.nextSeq++, txid: e.txid, feeRate: e.feeRate, lostTo: e.lostTo, at: gone.at });
    this.emit('evicted', gone);
    this.kick();
  }

  /** A new tip made a pending transaction invalid: hold it when it may apply later, else remember why it went. */
  private onDropped(e: { txid: string; tx: SignedTx; reason: RejectReason; message: string }): void {
    const bytes = encodeTx(e.tx);
    if (this.mayApplyLater(e.tx, e.reason)) {
      this.hold(e.txid, bytes, e.reason);
      if (!this.journaled.has(e.txid)) this.background.push({ type: 'tx', seq: this.nextSeq++, bytes });
    } else {
      this.reject(e.txid, bytes, e.reason, e.message);
    }
    this.kick();
  }

  /** A transaction a reorg put back into the mempool was acknowledged once: it goes back in the journal. */
  private journalReturned(txid: string): void {
    if (this.journaled.has(txid)) return;
    const entry = this.chain.mempool.get(txid);
    if (!entry) return;
    this.background.push({ type: 'tx', seq: this.nextSeq++, bytes: encodeTx(entry.tx) });
    this.kick();
  }

  private hold(txid: string, bytes: Uint8Array, reason: RejectReason): void {
    this.held.set(txid, { txid, bytes, reason, since: this.held.get(txid)?.since ?? this.now() });
    if (this.held.size <= this.maxHeld) return;
    const oldest = [...this.held.values()].sort((a, b) => a.since - b.since)[0]!;
    this.held.delete(oldest.txid);
    this.reject(oldest.txid, oldest.bytes, 'mempool-full', `more than ${this.maxHeld} transactions held for later; the oldest is saved aside`);
  }

  /** It can never apply: saved aside with its reason, remembered for 410, marked dropped in the journal. */
  private reject(txid: string, bytes: Uint8Array, reason: RejectReason, message: string): void {
    this.aside.push({ file: REJECTED_FILE, line: `${new Date(this.now()).toISOString()} ${txid} ${reason} ${toHex(bytes)} ${message}` });
    this.gone.add({ txid, kind: 'dropped', reason, at: this.now() });
    this.background.push({ type: 'drop', seq: this.nextSeq++, txid, reason, at: this.now() });
  }

  private mayApplyLater(tx: SignedTx, reason: RejectReason): boolean {
    if (MAY_APPLY_LATER.has(reason)) return true;
    // A sequence ahead of the account's waits for the ones before it; one behind was used up.
    return reason === 'bad-sequence' && tx.sequence > this.chain.mempool.pendingState().account(toHex(tx.sender)).sequence;
  }

  /** On every new tip: offer the held transactions again, then keep the journal small and the side files written. */
  private afterTip(): void {
    this.staged = null;
    for (const h of [...this.held.values()]) {
      const outcome = this.offer(h.bytes);
      if (outcome === 'later') continue;
      this.held.delete(h.txid);
      if (outcome instanceof VerifyError) this.reject(h.txid, h.bytes, outcome.reason, outcome.message);
    }
    if (this.background.length > 0) this.kick();
    void this.maintain();
  }

  /** Offer a journaled transaction to the mempool (no journaling: it is on disk already). */
  private offer(bytes: Uint8Array): 'admitted' | 'mined' | 'later' | VerifyError {
    try {
      this.chain.commitTransaction(this.chain.prepareTransaction(bytes), 'journal');
      return 'admitted';
    } catch (err) {
      if (!(err instanceof VerifyError)) throw err;
      if (err.reason === 'already-mined' || err.reason === 'already-in-mempool') return 'mined';
      try {
        const tx = decodeTx(bytes);
        if (tx.kind !== 'coinbase' && this.mayApplyLater(tx, err.reason)) return 'later';
      } catch {
        // does not decode: rejected below
      }
      return err;
    }
  }

  // ---- start-up and upkeep -----------------------------------------------------------------

  /**
   * Offer every journaled transaction again, in admission order; passes repeat while they admit
   * more (a transaction whose parent was journaled later, after a compaction of an earlier version).
   * Evictions and drops recorded in the journal are remembered, not replayed.
   */
  private replay(records: JournalRecord[], damaged: { offset: number; why: string; line: string }[], legacy: number): ReplayReport {
    const report: ReplayReport = { restored: 0, mined: 0, held: {}, rejected: {}, damaged: damaged.length, legacy, gone: 0 };
    const cancelled = new Set<string>();
    for (const r of records) {
      this.nextSeq = Math.max(this.nextSeq, r.seq + 1);
      if (r.type === 'evict') this.gone.add({ txid: r.txid, kind: 'evicted', reason: 'evicted for better payers', feeRate: r.feeRate, lostTo: r.lostTo, at: r.at });
      if (r.type === 'drop') this.gone.add({ txid: r.txid, kind: 'dropped', reason: r.reason as RejectReason, at: r.at });
      if (r.type !== 'tx') cancelled.add(r.txid);
    }
    report.gone = this.gone.size;
    const seen = new Set<string>();
    let pending: { txid: string; bytes: Uint8Array }[] = [];
    for (const r of [...records].sort((a, b) => a.seq - b.seq)) {
      if (r.type !== 'tx') continue;
      const txid = toDisplayHex(sha256d(r.bytes));
      this.journaled.add(txid);
      if (cancelled.has(txid) || seen.has(txid)) continue;
      seen.add(txid);
      pending.push({ txid, bytes: r.bytes });
    }
    for (let pass = 0; pass < 8 && pending.length > 0; pass++) {
      const later: typeof pending = [];
      for (const p of pending) {
        const outcome = this.offer(p.bytes);
        if (outcome === 'admitted') report.restored++;
        else if (outcome === 'mined') report.mined++;
        else if (outcome === 'later') later.push(p);
        else {
          report.rejected[outcome.reason] = (report.rejected[outcome.reason] ?? 0) + 1;
          this.reject(p.txid, p.bytes, outcome.reason, outcome.message);
        }
      }
      if (later.length === pending.length) break; // no progress: the rest waits for the chain
      pending = later;
    }
    for (const p of pending) {
      const reason = this.reasonNow(p.bytes) ?? 'insufficient-funds';
      report.held[reason] = (report.held[reason] ?? 0) + 1;
      this.hold(p.txid, p.bytes, reason);
    }
    for (const d of damaged) this.aside.push({ file: DAMAGED_FILE, line: `${new Date(this.now()).toISOString()} offset ${d.offset} ${d.why}: ${d.line}` });
    return report;
  }

  private reasonNow(bytes: Uint8Array): RejectReason | undefined {
    try {
      this.chain.prepareTransaction(bytes);
      return undefined;
    } catch (err) {
      return err instanceof VerifyError ? err.reason : undefined;
    }
  }

  /**
   * Save aside what must be kept (damaged lines, rejected transactions), then compact the journal
   * when what it holds is mostly done with. Either may fail on a full disk: the journal keeps
   * everything until they succeed, and they are tried again on the next tip.
   */
  async maintain(): Promise<void> {
    if (this.closed) return;
    try {
      for (const file of [DAMAGED_FILE, REJECTED_FILE] as const) {
        const lines = this.aside.filter((a) => a.file === file);
        if (lines.length === 0) continue;
        await this.journal.saveAside(file, lines.map((l) => l.line));
        this.aside = this.aside.filter((a) => !lines.includes(a));
        this.emit('notice', `mempool: ${lines.length} record(s) saved aside in ${file}`);
      }
      const needed = this.chain.mempoolInfo().count + this.held.size + this.gone.size;
      if (this.aside.length === 0 && this.journal.records >= this.compactMin && this.journal.records >= 2 * needed) await this.compact();
    } catch (err) {
      this.emit('notice', `mempool: journal upkeep postponed: ${(err as Error).message}`);
      this.scheduleRetry();
    }
  }

  /** Rewrite the journal as what is still needed: pending (admission order), held, and the 410 markers. */
  private async compact(): Promise<void> {
    while (this.writer) await this.writer; // no append may land in the old file after the snapshot
    let seq = 0;
    const records: JournalRecord[] = [];
    const txids: string[] = [];
    for (const e of this.chain.mempool.inAdmissionOrder()) {
      records.push({ type: 'tx', seq: seq++, bytes: encodeTx(e.tx) });
      txids.push(e.txid);
    }
    for (const h of this.held.values()) {
      records.push({ type: 'tx', seq: seq++, bytes: h.bytes });
      txids.push(h.txid);
    }
    for (const g of this.gone.all()) {
      records.push(
        g.kind === 'evicted'
          ? { type: 'evict', seq: seq++, txid: g.txid, feeRate: g.feeRate ?? 0, lostTo: g.lostTo ?? 0, at: g.at }
          : { type: 'drop', seq: seq++, txid: g.txid, reason: g.reason, at: g.at },
      );
    }
    const before = this.journal.records;
    await this.journal.rewrite(records);
    this.emit('compacted', { before, after: records.length });
    this.nextSeq = seq;
    this.journaled.clear();
    for (const t of txids) this.journaled.add(t);
  }
}
