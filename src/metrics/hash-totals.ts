import type { WorkerHashCount } from './stats-source.js';

/**
 * Turns the miner's per-slot counters, which restart at 0 when a worker is replaced, into totals
 * that only ever go up. Prometheus's rate() treats any decrease as a counter reset and would count
 * the new worker's whole value again while losing the old one's tail; keeping the series monotonic
 * here means rate(carechain_hashes_total[1m]) is right across worker replacements.
 */
export class MonotonicHashTotals {
  readonly #slots = new Map<number, { lastSeen: number; incarnation: number | undefined; total: number }>();

  /** Folds one reading of the counters in and returns, per slot, how much its total grew. */
  update(readings: readonly WorkerHashCount[]): Map<number, number> {
    const growth = new Map<number, number>();
    for (const reading of readings) {
      const seen = Number(reading.hashes);
      if (!Number.isFinite(seen) || seen < 0) continue;
      const slot = this.#slots.get(reading.worker);
      if (!slot) {
        this.#slots.set(reading.worker, { lastSeen: seen, incarnation: reading.incarnation, total: seen });
        growth.set(reading.worker, seen);
        continue;
      }
      const restarted = reading.incarnation !== slot.incarnation || seen < slot.lastSeen;
      // A restarted counter began at 0, so everything it shows now is new work.
      const delta = restarted ? seen : seen - slot.lastSeen;
      slot.lastSeen = seen;
      slot.incarnation = reading.incarnation;
      slot.total += delta;
      growth.set(reading.worker, delta);
    }
    return growth;
  }

  /** Every slot ever seen with its total; slots that went away (fewer threads) keep their last total. */
  totals(): Map<number, number> {
    return new Map([...this.#slots].map(([worker, slot]) => [worker, slot.total]));
  }
}
