/** Hash rates over the windows DESIGN.md names, in hashes per second; null until a window is full. */
export interface HashRates {
  '10s': number | null;
  '60s': number | null;
  '15m': number | null;
}

export const RATE_WINDOWS_MS: Readonly<Record<keyof HashRates, number>> = {
  '10s': 10_000,
  '60s': 60_000,
  '15m': 900_000,
};

const LONGEST_MS = 900_000;

/**
 * Turns a monotonic hash counter into windowed rates. The owner samples the counter now and then
 * (`record`); a window's rate runs from the newest sample at least a window old to the current
 * reading, so it exists only once the meter has watched for a whole window.
 */
export class HashRateMeter {
  private readonly times: Float64Array;
  private readonly totals: Float64Array;
  private head = 0; // next write
  private size = 0;
  private peak: number | null = null;

  constructor(startMs: number, startTotal: number, sampleIntervalMs: number) {
    const capacity = Math.ceil(LONGEST_MS / sampleIntervalMs) + 4;
    this.times = new Float64Array(capacity);
    this.totals = new Float64Array(capacity);
    this.record(startMs, startTotal);
  }

  /** Add a sample; samples must come in time order. */
  record(nowMs: number, total: number): void {
    const capacity = this.times.length;
    this.times[this.head] = nowMs;
    this.totals[this.head] = total;
    this.head = (this.head + 1) % capacity;
    this.size = Math.min(this.size + 1, capacity);
    const tenSeconds = this.rate(RATE_WINDOWS_MS['10s'], nowMs, total);
    if (tenSeconds !== null && (this.peak === null || tenSeconds > this.peak)) this.peak = tenSeconds;
  }

  rates(nowMs: number, total: number): HashRates {
    return {
      '10s': this.rate(RATE_WINDOWS_MS['10s'], nowMs, total),
      '60s': this.rate(RATE_WINDOWS_MS['60s'], nowMs, total),
      '15m': this.rate(RATE_WINDOWS_MS['15m'], nowMs, total),
    };
  }

  /** The highest 10 s rate seen at any sample, or null before the first full 10 s. */
  get peak10s(): number | null {
    return this.peak;
  }

  private rate(windowMs: number, nowMs: number, total: number): number | null {
    // Binary search, oldest (0) to newest (size-1), for the newest sample at least a window old.
    let lo = 0;
    let hi = this.size - 1;
    let found = -1;
    while (lo <= hi) {
      const mid = (lo + hi) >> 1;
      if (this.timeAt(mid) <= nowMs - windowMs) {
        found = mid;
        lo = mid + 1;
      } else {
        hi = mid - 1;
      }
    }
    if (found < 0) return null;
    const elapsed = nowMs - this.timeAt(found);
    return elapsed > 0 ? ((total - this.totalAt(found)) * 1000) / elapsed : null;
  }

  private index(logical: number): number {
    const capacity = this.times.length;
    return (this.head - this.size + logical + capacity) % capacity;
  }

  private timeAt(logical: number): number {
    return this.times[this.index(logical)]!;
  }

  private totalAt(logical: number): number {
    return this.totals[this.index(logical)]!;
  }
}
