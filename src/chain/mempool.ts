import { ensure, VerifyError, type RejectReason } from './errors.js';
import { accountKey } from './account-key.js';
import { LedgerState } from './state.js';
import type { SignedTx } from './tx.js';

/**
 * Pending transactions, each valid on top of the chain tip and the ones admitted before it. Ordered
 * by fee per byte; bounded in count and bytes; a per-sender cap stops one key from filling it.
 *
 * When it is full, room is made for a better payer by evicting the cheapest entries — 1 % of the
 * pool at a time, so one rebuild of the pending state pays for many admissions (amortised O(log n)
 * per admission) — and a rolling minimum fee rate (Bitcoin's mempool minimum) rises above what was
 * evicted, so spam below it is refused before its signature is even checked. The minimum decays
 * back, with a half-life, as the pool drains. Every eviction is reported to the caller: nothing
 * leaves the pool without a reason someone can ask for.
 */
export interface MempoolLimits {
  maxCount: number;
  maxBytes: number;
  maxPerSender: number;
  /** Fee per byte below which a transaction is never admitted, whatever the pool's state. */
  minFeeRate: number;
  maxTxBytes: number;
  /** What a newcomer must pay above the best evicted fee rate (fee per byte). */
  incrementalFeeRate: number;
  /** Half-life of the rolling minimum while the pool is at least half full (halved below that, and again below a quarter). */
  minFeeHalfLifeSeconds: number;
  /** Share of the pool evicted at once when it is full (0 < f ≤ 1). */
  evictionBatch: number;
}

export const DEFAULT_MEMPOOL_LIMITS: MempoolLimits = {
  maxCount: 10_000,
  maxBytes: 8_000_000,
  maxPerSender: 64,
  minFeeRate: 0,
  maxTxBytes: 4_096,
  incrementalFeeRate: 1,
  minFeeHalfLifeSeconds: 600,
  evictionBatch: 0.01,
};

export interface MempoolEntry {
  txid: string;
  tx: SignedTx;
  size: number;
  /** Fee per byte. */
  feeRate: number;
  sender: string;
  /** Milliseconds since the epoch, when it entered the pool. */
  addedAt: number;
  /** Admission order: replaying entries in this order admits every one of them again. */
  seq: number;
}

/** An entry that left the pool because better payers needed its room (or it needed one that did). */
export interface Eviction {
  entry: MempoolEntry;
  /** The fee rate of the transaction it made room for. */
  lostTo: number;
  /** Set when it went because a transaction it depended on was evicted. */
  dependedOnEvicted?: true;
}

/** An entry no longer valid on a new tip: mined, replaced by a mined one, or its funds gone. */
export interface Dropped {
  entry: MempoolEntry;
  reason: RejectReason;
  message: string;
}

/** Where pending transactions are checked: the next block's height and the node's clock. */
export type NextBlockContext = () => { height: number; time: number; coinbaseMaturity: number };

export class Mempool {
  private entries = new Map<string, MempoolEntry>();
  private view: LedgerState;
  private totalBytes = 0;
  /** Each sender's entries, in sequence order. */
  private bySender = new Map<string, MempoolEntry[]>();
  private nextSeq = 0;
  private rolling = { rate: 0, at: 0 };

  constructor(
    private baseState: LedgerState,
    readonly limits: MempoolLimits = DEFAULT_MEMPOOL_LIMITS,
    private readonly nextBlock: NextBlockContext = () => ({ height: 1, time: Math.floor(Date.now() / 1000), coinbaseMaturity: 0 }),
    private readonly clock: () => number = Date.now,
  ) {
    this.view = new LedgerState(baseState);
  }

  /** The chain state the pool is validated against. */
  get base(): LedgerState {
    return this.baseState;
  }

  get count(): number {
    return this.entries.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  has(txid: string): boolean {
    return this.entries.has(txid);
  }

  get(txid: string): MempoolEntry | undefined {
    return this.entries.get(txid);
  }

  /** Entries, best fee rate first (ties: oldest first). */
  list(): MempoolEntry[] {
    return [...this.entries.values()].sort(byFeeRate);
  }

  /** Entries in admission order: the order a replay must follow. */
  inAdmissionOrder(): MempoolEntry[] {
    return [...this.entries.values()].sort((a, b) => a.seq - b.seq);
  }

  /** The state as if every pending transaction were mined: what a wallet's next sequence comes from. */
  pendingState(): LedgerState {
    return this.view;
  }

  /**
   * The fee rate a newcomer must reach now: the static floor, or the rolling minimum that eviction
   * raised, decayed by its half-life (faster while the pool is emptier). It drops to zero once it
   * has decayed below half the increment.
   */
  minFeeRate(): number {
    const { rate, at } = this.rolling;
    if (rate === 0) return this.limits.minFeeRate;
    const fill = Math.max(this.entries.size / this.limits.maxCount, this.totalBytes / this.limits.maxBytes);
    const halfLife = this.limits.minFeeHalfLifeSeconds / (fill >= 0.5 ? 1 : fill >= 0.25 ? 2 : 4);
    const decayed = rate * 0.5 ** ((this.clock() - at) / 1000 / halfLife);
    if (decayed < this.limits.incrementalFeeRate / 2) {
      this.rolling = { rate: 0, at: 0 };
      return this.limits.minFeeRate;
    }
    return Math.max(this.limits.minFeeRate, decayed);
  }

  /**
   * Would `tx`'s state rules pass on top of the pool (or of `over`: the pool plus transactions not
   * yet in it)? Returns the state with it applied, as an overlay (`over` is unchanged); throws the
   * rules' VerifyError. Run checkPolicy first: it is cheaper.
   */
  checkState(tx: SignedTx, txid: string, over: LedgerState = this.view): LedgerState {
    const after = new LedgerState(over);
    after.applyTransaction(tx, this.context(txid));
    return after;
  }

  /** The checks that need no state: size, fee rate against the current minimum, the sender's share. */
  checkPolicy(tx: SignedTx, txid: string, size: number): void {
    ensure(!this.entries.has(txid), 'already-in-mempool', `${txid} is already pending`);
    ensure(size <= this.limits.maxTxBytes, 'tx-too-large', `${size} bytes > ${this.limits.maxTxBytes}`);
    const feeRate = tx.fee / size;
    const min = this.minFeeRate();
    if (this.rolling.rate > 0 && feeRate < min) {
      throw new VerifyError('mempool-min-fee', `fee rate ${feeRate.toFixed(3)} is below the mempool's current minimum ${min.toFixed(3)} per byte`);
    }
    ensure(feeRate >= this.limits.minFeeRate, 'fee-rate-too-low', `fee rate ${feeRate.toFixed(3)} < ${this.limits.minFeeRate}`);
    ensure((this.bySender.get(accountKey(tx.sender))?.length ?? 0) < this.limits.maxPerSender, 'sender-limit', `sender has ${this.limits.maxPerSender} pending`);
  }

  /**
   * Admit a transaction already checked on its own (signature, fields); throws a VerifyError with
   * the policy or state reason. `size` is its encoded length. Returns the entry and what was evicted
   * to make room for it.
   */
  add(tx: SignedTx, txid: string, size: number): { entry: MempoolEntry; evicted: Eviction[] } {
    this.checkPolicy(tx, txid, size);
    const entry: MempoolEntry = { txid, tx, size, feeRate: tx.fee / size, sender: accountKey(tx.sender), addedAt: this.clock(), seq: this.nextSeq };
    const victims = this.evictionFor(entry);
    if (victims.length === 0) {
      this.view.applyTransaction(tx, this.context(txid));
      this.nextSeq++;
      this.insert(entry);
      return { entry, evicted: [] };
    }
    const evicted = this.removeCleanly(victims, entry) ?? this.rebuildWithout(victims, entry);
    const best = Math.max(...victims.map((v) => v.feeRate));
    this.rolling = { rate: Math.max(this.minFeeRate(), best + this.limits.incrementalFeeRate), at: this.clock() };
    this.view.applyTransaction(tx, this.context(txid));
    this.nextSeq++;
    this.insert(entry);
    return { entry, evicted };
  }

  /**
   * Re-validate against a new chain tip: `returning` (from disconnected blocks, oldest first) go in
   * front of what was pending; what `isMined` says is in the chain now leaves quietly; anything else
   * no longer valid (double-spent, stale; mined, without `isMined`) is dropped and reported.
   * Admission order is renumbered so it stays an order that replays.
   */
  reset(base: LedgerState, returning: Array<{ tx: SignedTx; txid: string; size: number }> = [], isMined: (txid: string) => boolean = () => false): { readded: MempoolEntry[]; dropped: Dropped[] } {
    this.baseState = base;
    const previous = this.inAdmissionOrder();
    this.entries = new Map();
    this.bySender = new Map();
    this.totalBytes = 0;
    this.nextSeq = 0;
    this.view = new LedgerState(base);
    const readded: MempoolEntry[] = [];
    const dropped: Dropped[] = [];
    const pendingIds = new Set(previous.map((e) => e.txid));
    for (const item of returning) {
      if (pendingIds.has(item.txid)) continue;
      try {
        readded.push(this.readmit(item.tx, item.txid, item.size, this.clock()));
      } catch (err) {
        if (!(err instanceof VerifyError)) throw err;
      }
    }
    for (const e of previous) {
      if (isMined(e.txid)) continue; // its job is done: not re-checked only to fail (a thrown error each, for a whole block)
      try {
        this.readmit(e.tx, e.txid, e.size, e.addedAt);
      } catch (err) {
        if (!(err instanceof VerifyError)) throw err;
        dropped.push({ entry: e, reason: err.reason, message: err.message });
      }
    }
    return { readded, dropped };
  }

  /**
   * Transactions for a block: best fee rate first within `maxBytes`, a sender's transactions in
   * sequence order (a cheap one holds back its successors), each valid on what came before.
   */
  select(maxBytes: number): Pick<MempoolEntry, 'tx' | 'txid'>[] {
    const view = new LedgerState(this.baseState);
    const queues = new Map<string, MempoolEntry[]>();
    for (const e of this.inAdmissionOrder()) {
      let q = queues.get(e.sender);
      if (!q) queues.set(e.sender, (q = []));
      q.push(e);
    }
    const heads = new MaxHeap<MempoolEntry[]>((a, b) => byFeeRate(a[0]!, b[0]!) < 0);
    for (const q of queues.values()) heads.push(q);
    const chosen: Pick<MempoolEntry, 'tx' | 'txid'>[] = [];
    let room = maxBytes;
    for (let queue = heads.pop(); queue; queue = heads.pop()) {
      const entry = queue.shift()!;
      if (entry.size > room) continue; // drops the rest of this sender's queue: they need this one first
      try {
        view.applyTransaction(entry.tx, this.context(entry.txid));
      } catch (err) {
        if (err instanceof VerifyError) continue;
        throw err;
      }
      chosen.push(entry);
      room -= entry.size;
      if (queue.length > 0) heads.push(queue);
    }
    return chosen;
  }

  private context(txid: string) {
    return { txid, ...this.nextBlock() };
  }

  /** Put an entry back (a reset): state and policy again, no eviction, its arrival time kept. */
  private readmit(tx: SignedTx, txid: string, size: number, addedAt: number): MempoolEntry {
    ensure(!this.entries.has(txid), 'already-in-mempool', `${txid} is already pending`);
    ensure((this.bySender.get(accountKey(tx.sender))?.length ?? 0) < this.limits.maxPerSender, 'sender-limit', `sender has ${this.limits.maxPerSender} pending`);
    this.view.applyTransaction(tx, this.context(txid));
    const entry: MempoolEntry = { txid, tx, size, feeRate: tx.fee / size, sender: accountKey(tx.sender), addedAt, seq: this.nextSeq++ };
    this.insert(entry);
    return entry;
  }

  /**
   * The cheapest entries of other senders to drop so `entry` fits, plus a batch's worth of headroom
   * so the next newcomers need no rebuild; refuses when the cheapest left pay as much as it does.
   * A victim's later transactions go with it (they need it first), so they count as freed room.
   */
  private evictionFor(entry: MempoolEntry): MempoolEntry[] {
    const { maxCount, maxBytes } = this.limits;
    if (this.entries.size + 1 <= maxCount && this.totalBytes + entry.size <= maxBytes) return [];
    const headroomCount = Math.max(1, Math.floor(maxCount * this.limits.evictionBatch));
    const headroomBytes = Math.floor(maxBytes * this.limits.evictionBatch);
    const fits = (count: number, bytes: number) => count + 1 <= maxCount && bytes + entry.size <= maxBytes;
    const roomy = (count: number, bytes: number) => count + 1 + headroomCount <= maxCount && bytes + entry.size + headroomBytes <= maxBytes;
    const cheapest = [...this.entries.values()].filter((e) => e.sender !== entry.sender).sort((a, b) => byFeeRate(b, a));
    const victims = new Set<MempoolEntry>();
    let count = this.entries.size;
    let bytes = this.totalBytes;
    for (const candidate of cheapest) {
      if (roomy(count, bytes)) break;
      if (victims.has(candidate)) continue;
      if (candidate.feeRate >= entry.feeRate) break; // never evict one that pays as much as the newcomer
      const chain = this.bySender.get(candidate.sender)!;
      for (const e of chain.slice(chain.indexOf(candidate))) {
        if (victims.has(e)) continue;
        victims.add(e);
        count -= 1;
        bytes -= e.size;
      }
    }
    if (!fits(count, bytes)) {
      const floor = cheapest.find((e) => !victims.has(e))?.feeRate ?? entry.feeRate;
      throw new VerifyError('mempool-full', `mempool full: the fee rate must beat ${floor.toFixed(3)} per byte`);
    }
    return [...victims];
  }

  /**
   * Remove `victims` by undoing their own effects on the pending state, without re-applying the
   * rest: possible when they are transfers (each its sender's last ones, as evictionFor picks them)
   * whose recipients have no pending transactions of their own that could have spent the credit.
   * That is a flood's case, and it keeps admission into a full pool O(log n). Returns null (and
   * changes nothing) when the victims are not that simple.
   */
  private removeCleanly(victims: MempoolEntry[], newcomer: MempoolEntry): Eviction[] | null {
    const leaving = new Set(victims);
    for (const v of victims) {
      if (v.tx.kind !== 'transfer') return null;
      const recipient = accountKey(v.tx.recipient);
      if (recipient === newcomer.sender) return null; // the newcomer may spend what it receives
      const theirs = this.bySender.get(recipient);
      if (theirs && !theirs.every((e) => leaving.has(e))) return null;
    }
    // The newcomer needs none of them (its sender received nothing from them): check it applies first.
    new LedgerState(this.view).applyTransaction(newcomer.tx, this.context(newcomer.txid));
    // Undo the debits and credits; the same account may be both sender and recipient of victims.
    const delta = new Map<string, { balance: number; sequence: number }>();
    const bump = (key: string, balance: number, sequence: number) => {
      const d = delta.get(key) ?? { balance: 0, sequence: 0 };
      d.balance += balance;
      d.sequence += sequence;
      delta.set(key, d);
    };
    for (const v of victims) {
      const tx = v.tx as Extract<SignedTx, { kind: 'transfer' }>;
      bump(v.sender, tx.fee + tx.amount, -1);
      bump(accountKey(tx.recipient), -tx.amount, 0);
    }
    for (const [key, d] of delta) {
      const account = this.view.account(key);
      this.view.setAccount(key, { ...account, balance: account.balance + d.balance, sequence: account.sequence + d.sequence });
    }
    for (const v of victims) this.forget(v);
    return victims.map((entry) => ({ entry, lostTo: newcomer.feeRate }));
  }

  /**
   * The pool without `victims`, the pending state rebuilt once in admission order, built aside:
   * the newcomer must apply on it (it may have needed one of them) before anything is evicted; when
   * it does not, this throws its VerifyError and nothing changed. Entries that needed a victim go too.
   */
  private rebuildWithout(victims: MempoolEntry[], newcomer: MempoolEntry): Eviction[] {
    const gone = new Set(victims.map((v) => v.txid));
    const lostTo = newcomer.feeRate;
    const evicted: Eviction[] = victims.map((entry) => ({ entry, lostTo }));
    const view = new LedgerState(this.baseState);
    const kept: MempoolEntry[] = [];
    for (const e of this.inAdmissionOrder()) {
      if (gone.has(e.txid)) continue;
      try {
        view.applyTransaction(e.tx, this.context(e.txid));
      } catch (err) {
        if (!(err instanceof VerifyError)) throw err;
        // It needed one of the victims (its funds or its record): it goes too, and says so.
        evicted.push({ entry: e, lostTo, dependedOnEvicted: true });
        continue;
      }
      kept.push(e);
    }
    new LedgerState(view).applyTransaction(newcomer.tx, this.context(newcomer.txid));
    this.entries = new Map();
    this.bySender = new Map();
    this.totalBytes = 0;
    this.view = view;
    for (const e of kept) this.insert(e);
    return evicted;
  }

  private insert(e: MempoolEntry): void {
    this.entries.set(e.txid, e);
    this.totalBytes += e.size;
    let chain = this.bySender.get(e.sender);
    if (!chain) this.bySender.set(e.sender, (chain = []));
    chain.push(e);
  }

  private forget(e: MempoolEntry): void {
    this.entries.delete(e.txid);
    this.totalBytes -= e.size;
    const chain = this.bySender.get(e.sender);
    if (!chain) return;
    const rest = chain.filter((x) => x !== e);
    if (rest.length > 0) this.bySender.set(e.sender, rest);
    else this.bySender.delete(e.sender);
  }
}

/** Negative when a should come first: higher fee rate, then earlier arrival. */
function byFeeRate(a: MempoolEntry, b: MempoolEntry): number {
  return b.feeRate - a.feeRate || a.seq - b.seq;
}

/** A small binary heap; `before(a, b)` is true when a should pop first. */
class MaxHeap<T> {
  private items: T[] = [];
  constructor(private readonly before: (a: T, b: T) => boolean) {}

  push(item: T): void {
    const items = this.items;
    items.push(item);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!this.before(items[i]!, items[parent]!)) break;
      [items[i], items[parent]] = [items[parent]!, items[i]!];
      i = parent;
    }
  }

  pop(): T | undefined {
    const items = this.items;
    const top = items[0];
    const last = items.pop();
    if (items.length > 0 && last !== undefined) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let best = i;
        if (l < items.length && this.before(items[l]!, items[best]!)) best = l;
        if (r < items.length && this.before(items[r]!, items[best]!)) best = r;
        if (best === i) break;
        [items[i], items[best]] = [items[best]!, items[i]!];
        i = best;
      }
    }
    return top;
  }
}
