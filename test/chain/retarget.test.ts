import { describe, expect, it } from 'vitest';
import { nextBits, type RetargetParams } from '../../src/chain/retarget.js';
import { bitsToTarget, targetToBits } from '../../src/chain/target.js';

// A 1-second network like `test`: timestamps are whole seconds, so fast blocks share a second.
const params: RetargetParams = {
  powLimit: bitsToTarget(0x207fffff),
  powLimitBits: 0x207fffff,
  targetSpacing: 1,
  retargetWindow: 10,
};
const start = targetToBits(bitsToTarget(0x207fffff) / 16n);

function ancestors(times: number[]) {
  return times.map((time) => ({ time, bits: start }));
}

describe('nextBits on a one-second network', () => {
  it('raises difficulty (by the 4x cap) when blocks keep landing in their parent\'s second', () => {
    const next = bitsToTarget(nextBits(params, ancestors([100, 100, 100, 100, 100, 100, 100, 100, 100, 100, 100])));
    expect(next).toBe(bitsToTarget(targetToBits(bitsToTarget(start) / 4n)));
  });

  it('keeps the target when blocks come one second apart, and eases it when they come slow', () => {
    const onTime = ancestors(Array.from({ length: 11 }, (_, i) => 100 + i));
    expect(bitsToTarget(nextBits(params, onTime))).toBe(bitsToTarget(start));
    // Every block 3 s apart: the weighted time is 3x the expected, so the target grows 3x (under the 4x cap).
    const slow = ancestors(Array.from({ length: 11 }, (_, i) => 100 + 3 * i));
    expect(nextBits(params, slow)).toBe(targetToBits(3n * bitsToTarget(start)));
    // 10 s apart: clamped to 6 s each, 6x the expected, so the 4x cap holds it.
    const slower = ancestors(Array.from({ length: 11 }, (_, i) => 100 + 10 * i));
    expect(nextBits(params, slower)).toBe(targetToBits(4n * bitsToTarget(start)));
  });
});
