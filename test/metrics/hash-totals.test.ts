import { describe, expect, it } from 'vitest';
import { MonotonicHashTotals } from '../../src/metrics/hash-totals.js';

describe('MonotonicHashTotals', () => {
  it('adds the growth of each slot between readings', () => {
    const totals = new MonotonicHashTotals();
    expect(totals.update([{ worker: 0, hashes: 100 }, { worker: 1, hashes: 50 }])).toEqual(new Map([[0, 100], [1, 50]]));
    expect(totals.update([{ worker: 0, hashes: 160 }, { worker: 1, hashes: 50n }])).toEqual(new Map([[0, 60], [1, 0]]));
    expect(totals.totals()).toEqual(new Map([[0, 160], [1, 50]]));
  });

  it('counts a replaced worker (new incarnation) from zero, even when it already passed the old count', () => {
    const totals = new MonotonicHashTotals();
    totals.update([{ worker: 0, hashes: 100, incarnation: 1 }]);
    // The replacement hashed 400 since it started: all 400 are new, not 400 - 100.
    expect(totals.update([{ worker: 0, hashes: 400, incarnation: 2 }]).get(0)).toBe(400);
    expect(totals.totals().get(0)).toBe(500);
  });

  it('takes a counter that went down as a restart when no incarnation is given', () => {
    const totals = new MonotonicHashTotals();
    totals.update([{ worker: 3, hashes: 1000 }]);
    expect(totals.update([{ worker: 3, hashes: 10 }]).get(3)).toBe(10);
    expect(totals.totals().get(3)).toBe(1010);
  });

  it('keeps the total of a slot that disappeared (fewer threads) and ignores nonsense readings', () => {
    const totals = new MonotonicHashTotals();
    totals.update([{ worker: 0, hashes: 5 }, { worker: 1, hashes: 7 }]);
    totals.update([{ worker: 0, hashes: 9 }, { worker: 1, hashes: -1 }, { worker: 2, hashes: Number.NaN }]);
    expect(totals.totals()).toEqual(new Map([[0, 9], [1, 7]]));
  });
});
