import { randomInt } from 'node:crypto';
import { leU32Hex, parseLeU32Hex } from './protocol.js';

export interface Extranonce1AllocatorOptions {
  /** How long a closed session's extranonce1 is kept for it to resume (default 10 min). */
  resumeMs?: number;
  /** Released extranonce1s remembered at most (default 10,000; the oldest go first). */
  maxRemembered?: number;
  /** Values never handed out: the node's own miner uses one (its coinbases would repeat a session's). */
  reserved?: () => Iterable<number>;
  now?: () => number;
  random?: () => number;
}

/**
 * Extranonce1s for Stratum sessions: each live session gets one no other live session has, so no
 * two miners ever hash the same coinbase. The session id a client may send to resume is the
 * extranonce1's hex: within `resumeMs` of closing, a reconnecting miner gets its extranonce1 back
 * (its queued work stays valid); after that, or while another session holds it, it gets a new one.
 */
export class Extranonce1Allocator {
  private readonly live = new Set<number>();
  /** Closed sessions' values, oldest first, with when they were released. */
  private readonly released = new Map<number, number>();
  private readonly resumeMs: number;
  private readonly maxRemembered: number;
  private readonly now: () => number;
  private readonly random: () => number;

  constructor(private readonly options: Extranonce1AllocatorOptions = {}) {
    this.resumeMs = options.resumeMs ?? 10 * 60_000;
    this.maxRemembered = options.maxRemembered ?? 10_000;
    this.now = options.now ?? Date.now;
    this.random = options.random ?? (() => randomInt(2 ** 32 - 1));
  }

  /** An extranonce1 for a new session, `resumeId`'s own if it may have it back. */
  allocate(resumeId?: string): { extranonce1: number; sessionId: string; resumed: boolean } {
    this.forgetExpired();
    const wanted = typeof resumeId === 'string' ? parseLeU32Hex(resumeId) : -1;
    if (wanted >= 0 && this.released.has(wanted) && !this.live.has(wanted)) {
      this.released.delete(wanted);
      return this.take(wanted, true);
    }
    const reserved = new Set(this.options.reserved?.() ?? []);
    for (;;) {
      const candidate = this.random() >>> 0;
      if (!this.live.has(candidate) && !this.released.has(candidate) && !reserved.has(candidate)) return this.take(candidate, false);
    }
  }

  /** The session closed: its value may be resumed for a while, then reused. */
  release(extranonce1: number): void {
    if (!this.live.delete(extranonce1)) return;
    this.released.delete(extranonce1);
    this.released.set(extranonce1, this.now());
    while (this.released.size > this.maxRemembered) this.released.delete(this.released.keys().next().value!);
  }

  get liveCount(): number {
    return this.live.size;
  }

  private take(extranonce1: number, resumed: boolean) {
    this.live.add(extranonce1);
    return { extranonce1, sessionId: leU32Hex(extranonce1), resumed };
  }

  private forgetExpired(): void {
    const cutoff = this.now() - this.resumeMs;
    for (const [value, at] of this.released) {
      if (at > cutoff) break; // insertion order is release order
      this.released.delete(value);
    }
  }
}
