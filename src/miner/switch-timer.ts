/**
 * Job-switch latency: from `setJob` to the moment the last worker starts hashing the new job, as
 * workers report it (process.hrtime, one clock for every thread of the process).
 */
const KEEP = 1024;

interface Pending {
  gen: number;
  since: bigint;
  waiting: Set<number>;
  last: bigint;
}

export class SwitchTimer {
  private pending: Pending | null = null;
  private readonly samples: number[] = [];

  /** A new job, asked for at `since` (process.hrtime.bigint()), went out to these worker slots. */
  begin(gen: number, slots: Iterable<number>, since: bigint): void {
    const waiting = new Set(slots);
    this.pending = waiting.size > 0 ? { gen, since, waiting, last: 0n } : null;
  }

  /** The switch can no longer be timed fairly (paused, job finished, replaced). */
  cancel(): void {
    this.pending = null;
  }

  /** A worker started hashing `gen`; returns the latency in ms once every worker has. */
  ack(slot: number, gen: number, at: bigint): number | null {
    const p = this.pending;
    if (!p || p.gen !== gen || !p.waiting.delete(slot)) return null;
    if (at > p.last) p.last = at;
    return this.settle();
  }

  /** A worker went away: stop waiting for it. */
  drop(slot: number): number | null {
    if (!this.pending?.waiting.delete(slot)) return null;
    return this.settle();
  }

  /** The most recent latencies in ms, oldest first (up to 1024). */
  recent(): number[] {
    return [...this.samples];
  }

  private settle(): number | null {
    const p = this.pending!;
    if (p.waiting.size > 0) return null;
    this.pending = null;
    if (p.last === 0n) return null;
    const ms = Number(p.last - p.since) / 1e6;
    this.samples.push(ms);
    if (this.samples.length > KEEP) this.samples.shift();
    return ms;
  }
}
