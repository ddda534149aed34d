import { NO_BOUND, position } from './shared.js';

/** A nonce range of one extranonce, before it is given to a worker. */
export interface NonceRange {
  extranonce: number;
  start: number;
  count: number;
}

export interface DispenserOptions {
  extranonceStart: number;
  /** Exclusive. */
  extranonceEnd: number;
  /** Nonces per extranonce: [0, nonces). */
  nonces: number;
  rangeSize: number;
}

/**
 * Hands out a job's search space as disjoint ranges in ascending (extranonce, nonce) order: when an
 * extranonce's nonces are all handed out it rolls to the next one rather than repeat work. Ranges
 * given back (a worker died or was retired) go out again first, lowest first, so a lowest-first
 * search never leaves a hole below its answer.
 */
export class RangeDispenser {
  private extranonce: number;
  private nextNonce = 0;
  private readonly returned: NonceRange[] = [];
  private bound = NO_BOUND;

  constructor(private readonly options: DispenserOptions) {
    this.extranonce = options.extranonceStart;
  }

  /** The next range to scan, or null when nothing is left below the bound. */
  take(): NonceRange | null {
    const back = this.returned.shift();
    if (back) return this.clip(back) ?? this.take();
    const { extranonceEnd, nonces, rangeSize } = this.options;
    if (this.extranonce >= extranonceEnd) return null;
    const range = { extranonce: this.extranonce, start: this.nextNonce, count: Math.min(rangeSize, nonces - this.nextNonce) };
    this.nextNonce += range.count;
    if (this.nextNonce >= nonces) {
      this.extranonce += 1;
      this.nextNonce = 0;
    }
    const clipped = this.clip(range);
    // Fresh ranges only go up: once one is past the bound, so is all that follows.
    if (!clipped) this.extranonce = extranonceEnd;
    return clipped;
  }

  /** Put an unfinished range back, to be handed out before anything fresh. */
  giveBack(range: NonceRange): void {
    if (range.count <= 0) return;
    const at = position(range.extranonce, range.start);
    const index = this.returned.findIndex((r) => position(r.extranonce, r.start) > at);
    this.returned.splice(index < 0 ? this.returned.length : index, 0, { ...range });
  }

  /** A lowest-first job found something at `bound`: nothing at or past it is needed any more. */
  lowerBound(bound: bigint): void {
    if (bound < this.bound) this.bound = bound;
  }

  /** Whether every range has been handed out (those in flight may still be running). */
  get drained(): boolean {
    return this.returned.length === 0 && (this.extranonce >= this.options.extranonceEnd || this.peekPastBound());
  }

  private peekPastBound(): boolean {
    return position(this.extranonce, this.nextNonce) >= this.bound;
  }

  private clip(range: NonceRange): NonceRange | null {
    const room = this.bound - position(range.extranonce, range.start);
    if (room <= 0n) return null;
    return room < BigInt(range.count) ? { ...range, count: Number(room) } : range;
  }
}
