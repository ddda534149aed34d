import { ensure, VerifyError } from './errors.js';
import { toHex } from './hash.js';
import { LedgerState } from './state.js';
import type { SignedTx } from './tx.js';

/**
 * Pending transactions, each valid on top of the chain tip and the ones before it. Ordered by fee
 * per byte; bounded in count and bytes (a full pool evicts its cheapest, and refuses a newcomer that
 * does not beat them); a per-sender cap stops one key from filling it.
 */
export interface MempoolLimits {
  maxCount: number;
  maxBytes: number;
  maxPerSender: number;
  /** Fee per byte below which a transaction is not relayed or mined. */
  minFeeRate: number;
  maxTxBytes: number;
}

export const DEFAULT_MEMPOOL_LIMITS: MempoolLimits = {
  maxCount: 10_000,
  maxBytes: 8_000_000,
  maxPerSender: 64,
  minFeeRate: 0,
  maxTxBytes: 4_096,
};

export interface MempoolEntry {
  txid: string;
  tx: SignedTx;
  size: number;
  /** Fee per byte. */
  feeRate: number;
  sender: string;
  addedAt: number;
}

/** Where pending transactions are checked: the next block's height and the node's clock. */
export type NextBlockContext = () => { height: number; time: number; coinbaseMaturity: number };

export class Mempool {
  private entries = new Map<string, MempoolEntry>();
  private view: LedgerState;
  private totalBytes = 0;
  private perSender = new Map<string, number>();

  constructor(
    private baseState: LedgerState,
    readonly limits: MempoolLimits = DEFAULT_MEMPOOL_LIMITS,
    private readonly nextBlock: NextBlockContext = () => ({ height: 1, time: Math.floor(Date.now() / 1000), coinbaseMaturity: 0 }),
  ) {
    this.view = new LedgerState(baseState);
  }

  private context(txid: string) {
    return { txid, ...this.nextBlock() };
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

  /** The state as if every pending transaction were mined: what a wallet's next sequence comes from. */
  pendingState(): LedgerState {
    return this.view;
  }

  /**
   * Admit a transaction already checked on its own (signature, fields); throws a VerifyError with the
   * policy or state reason. `size` is its encoded length.
   */
  add(tx: SignedTx, txid: string, size: number): MempoolEntry {
    ensure(!this.entries.has(txid), 'already-in-mempool', `${txid} is already pending`);
    ensure(size <= this.limits.maxTxBytes, 'tx-too-large', `${size} bytes > ${this.limits.maxTxBytes}`);
    const entry: MempoolEntry = { txid, tx, size, feeRate: tx.fee / size, sender: toHex(tx.sender), addedAt: Date.now() };
    ensure(entry.feeRate >= this.limits.minFeeRate, 'fee-rate-too-low', `fee rate ${entry.feeRate.toFixed(3)} < ${this.limits.minFeeRate}`);
    ensure((this.perSender.get(entry.sender) ?? 0) < this.limits.maxPerSender, 'sender-limit', `sender has ${this.limits.maxPerSender} pending`);
    const victims = this.evictionFor(entry);
    this.view.applyTransaction(tx, this.context(txid));
    this.insert(entry);
    if (victims.length > 0) {
      for (const victim of victims) this.forget(victim);
      this.rebuild();
      ensure(this.entries.has(txid), 'mempool-full', 'depended on an evicted transaction');
    }
    return entry;
  }

  /**
   * Re-validate against a new chain tip: `returning` (from disconnected blocks, oldest first) go in
   * front of what was pending; anything no longer valid (mined, double-spent, stale) is dropped.
   */
  reset(base: LedgerState, returning: Array<{ tx: SignedTx; txid: string; size: number }> = []): void {
    this.baseState = base;
    const previous = [...this.entries.values()];
    this.entries = new Map();
    this.perSender = new Map();
    this.totalBytes = 0;
    this.view = new LedgerState(base);
    for (const item of [...returning, ...previous]) {
      try {
        this.add(item.tx, item.txid, item.size);
      } catch (err) {
        if (!(err instanceof VerifyError)) throw err;
      }
    }
  }

  /**
   * Transactions for a block: best fee rate first within `maxBytes`, a sender's transactions in
   * sequence order (a cheap one holds back its successors), each valid on what came before.
   */
  select(maxBytes: number): SignedTx[] {
    const view = new LedgerState(this.baseState);
    const queues = new Map<string, MempoolEntry[]>();
    for (const e of this.entries.values()) {
      let q = queues.get(e.sender);
      if (!q) queues.set(e.sender, (q = []));
      q.push(e);
    }
    const heads = new MaxHeap<MempoolEntry[]>((a, b) => byFeeRate(a[0]!, b[0]!) < 0);
    for (const q of queues.values()) heads.push(q);
    const chosen: SignedTx[] = [];
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
      chosen.push(entry.tx);
      room -= entry.size;
      if (queue.length > 0) heads.push(queue);
    }
    return chosen;
  }

  /** Cheapest entries (of other senders) to drop so `entry` fits; refuses when they pay as much. */
  private evictionFor(entry: MempoolEntry): MempoolEntry[] {
    let count = this.entries.size + 1;
    let bytes = this.totalBytes + entry.size;
    if (count <= this.limits.maxCount && bytes <= this.limits.maxBytes) return [];
    const victims: MempoolEntry[] = [];
    const cheapest = [...this.entries.values()].filter((e) => e.sender !== entry.sender).sort((a, b) => byFeeRate(b, a));
    for (const victim of cheapest) {
      if (count <= this.limits.maxCount && bytes <= this.limits.maxBytes) break;
      ensure(victim.feeRate < entry.feeRate, 'mempool-full', `mempool full: fee rate must beat ${victim.feeRate.toFixed(3)}`);
      victims.push(victim);
      count -= 1;
      bytes -= victim.size;
    }
    ensure(count <= this.limits.maxCount && bytes <= this.limits.maxBytes, 'mempool-full', 'mempool full');
    return victims;
  }

  /** Re-apply every entry in admission order, dropping those that no longer apply (an evicted predecessor). */
  private rebuild(): void {
    const kept = [...this.entries.values()];
    this.entries = new Map();
    this.perSender = new Map();
    this.totalBytes = 0;
    this.view = new LedgerState(this.baseState);
    for (const e of kept) {
      try {
        this.view.applyTransaction(e.tx, this.context(e.txid));
        this.insert(e);
      } catch (err) {
        if (!(err instanceof VerifyError)) throw err;
      }
    }
  }

  private insert(e: MempoolEntry): void {
    this.entries.set(e.txid, e);
    this.totalBytes += e.size;
    this.perSender.set(e.sender, (this.perSender.get(e.sender) ?? 0) + 1);
  }

  private forget(e: MempoolEntry): void {
    this.entries.delete(e.txid);
    this.totalBytes -= e.size;
    this.perSender.set(e.sender, (this.perSender.get(e.sender) ?? 1) - 1);
  }
}

/** Negative when a should come first: higher fee rate, then earlier arrival. */
function byFeeRate(a: MempoolEntry, b: MempoolEntry): number {
  return b.feeRate - a.feeRate || a.addedAt - b.addedAt;
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
