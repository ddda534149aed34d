import { bitsToTarget, targetToBits } from './target.js';

/**
 * Difficulty retargeting, every block, by a linearly weighted moving average (LWMA) of the last
 * `window` solve times: recent blocks weigh most, so the chain answers a change in hash rate within a
 * few blocks without the oscillation of Bitcoin's 2016-block steps. One step may move the target by
 * at most 4× either way, and never above the network's limit.
 */

export interface RetargetParams {
  powLimit: bigint;
  powLimitBits: number;
  /** Intended seconds between blocks. */
  targetSpacing: number;
  /** Blocks in the averaging window. */
  retargetWindow: number;
}

/** What retargeting reads of an ancestor block. */
export interface TimedBits {
  time: number;
  bits: number;
}

/** Largest factor one retarget step may move the target by. */
export const MAX_RETARGET_STEP = 4n;

/**
 * The bits the next block must carry, from its ancestors (oldest first, the parent last; pass at
 * least window + 1 of them when the chain is that long).
 */
export function nextBits(params: RetargetParams, ancestors: TimedBits[]): number {
  if (ancestors.length < 2) return params.powLimitBits;
  const k = Math.min(params.retargetWindow, ancestors.length - 1);
  const recent = ancestors.slice(-(k + 1));
  const T = params.targetSpacing;
  let weightedTime = 0;
  let targetSum = 0n;
  for (let i = 1; i <= k; i++) {
    // Clamped solve times: out-of-order timestamps cannot make a negative time, nor one huge gap
    // dominate. Zero stays zero: timestamps are whole seconds, and on a 1 s network most fast blocks
    // share their parent's second; counting them as 1 s made such a chain look on target forever.
    const solveTime = Math.min(Math.max(recent[i]!.time - recent[i - 1]!.time, 0), 6 * T);
    weightedTime += i * solveTime;
    targetSum += bitsToTarget(recent[i]!.bits);
  }
  // average target × weighted time ÷ expected weighted time (T·k(k+1)/2), in integers.
  let next = (targetSum * BigInt(weightedTime) * 2n) / (BigInt(k) * BigInt(k) * BigInt(k + 1) * BigInt(T));
  const previous = bitsToTarget(recent[k]!.bits);
  if (next > previous * MAX_RETARGET_STEP) next = previous * MAX_RETARGET_STEP;
  if (next < previous / MAX_RETARGET_STEP) next = previous / MAX_RETARGET_STEP;
  if (next > params.powLimit) next = params.powLimit;
  if (next < 1n) next = 1n;
  return targetToBits(next);
}

/** Median of the last 11 timestamps (fewer near genesis): a new block's time must be above it. */
export function medianTimePast(ancestors: TimedBits[]): number {
  const times = ancestors.slice(-11).map((a) => a.time).sort((a, b) => a - b);
  return times[Math.floor(times.length / 2)] ?? 0;
}
