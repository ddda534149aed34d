/**
 * Transactions the node acknowledged and no longer holds — evicted for better payers, or made
 * invalid for good by a new tip — remembered for a while, so GET /txs/:txid answers 410 with the
 * reason instead of a bare 404. Bounded in time and in count (the oldest forgotten first).
 */
export interface GoneTransaction {
  txid: string;
  kind: 'evicted' | 'dropped';
  /** For people: why it went. For a drop, the chain's reject reason. */
  reason: string;
  /** Fee per byte it paid, and what the transaction it made room for paid (evictions). */
  feeRate?: number;
  lostTo?: number;
  /** Milliseconds since the epoch. */
  at: number;
}

export class GoneTransactions {
  private readonly entries = new Map<string, GoneTransaction>();

  constructor(
    private readonly retentionMs: number,
    private readonly capacity: number,
    private readonly now: () => number,
  ) {}

  add(gone: GoneTransaction): GoneTransaction {
    this.entries.delete(gone.txid);
    this.entries.set(gone.txid, gone);
    if (this.entries.size > this.capacity) this.entries.delete(this.entries.keys().next().value!);
    return gone;
  }

  get(txid: string): GoneTransaction | undefined {
    const gone = this.entries.get(txid);
    if (gone && this.now() - gone.at > this.retentionMs) {
      this.entries.delete(txid);
      return undefined;
    }
    return gone;
  }

  /** The ones still within their retention, oldest first (what compaction keeps). */
  all(): GoneTransaction[] {
    const cutoff = this.now() - this.retentionMs;
    for (const [txid, g] of this.entries) if (g.at < cutoff) this.entries.delete(txid);
    return [...this.entries.values()];
  }

  get size(): number {
    return this.entries.size;
  }
}
