export interface VardiffOptions {
  /** The share interval a session is steered toward (default 5 s). */
  targetSeconds?: number;
  /** Retarget after shares worth this many target intervals have come in (default 16)… */
  retargetShares?: number;
  /** …or after this long, whichever comes first (default 60 s). */
  retargetSeconds?: number;
}

/**
 * Variable difficulty for one session: from the difficulty its accepted shares add up to over a
 * window, the difficulty at which it would send one share every `targetSeconds`. Changes smaller
 * than 2× either way are not worth a set_difficulty; one step moves at most 64× up or 8× down, so
 * a burst of queued shares cannot throw it far. The caller clamps the answer to its bounds.
 */
export class Vardiff {
  private windowStart: number;
  private difficultySum = 0;
  private shares = 0;
  private readonly targetSeconds: number;
  private readonly retargetShares: number;
  private readonly retargetSeconds: number;

  constructor(now: number, options: VardiffOptions = {}) {
    this.windowStart = now;
    this.targetSeconds = options.targetSeconds ?? 5;
    this.retargetShares = options.retargetShares ?? 16;
    this.retargetSeconds = options.retargetSeconds ?? 60;
  }

  /** An accepted share of `difficulty` at `now` (seconds); a new difficulty when it is time to change. */
  share(difficulty: number, current: number, now: number): number | null {
    this.difficultySum += difficulty;
    this.shares++;
    if (this.shares < this.retargetShares && now - this.windowStart < this.retargetSeconds) return null;
    return this.retarget(current, now);
  }

  /** Called now and then: a session that went quiet is eased down rather than left starving. */
  tick(current: number, now: number): number | null {
    if (now - this.windowStart < this.retargetSeconds) return null;
    return this.retarget(current, now);
  }

  /** Start a fresh window (after a difficulty change made elsewhere, e.g. a suggestion). */
  reset(now: number): void {
    this.windowStart = now;
    this.difficultySum = 0;
    this.shares = 0;
  }

  private retarget(current: number, now: number): number | null {
    const elapsed = Math.max(now - this.windowStart, 0.001);
    const ideal = this.shares === 0 ? current / 8 : (this.difficultySum / elapsed) * this.targetSeconds;
    this.reset(now);
    const next = Math.min(current * 64, Math.max(current / 8, ideal));
    return next > current * 2 || next < current / 2 ? next : null;
  }
}
