import { describe, expect, it } from 'vitest';
import { RangeDispenser, type NonceRange } from '../../src/miner/dispenser.js';
import { position } from '../../src/miner/shared.js';

function drain(d: RangeDispenser): NonceRange[] {
  const out: NonceRange[] = [];
  for (let r = d.take(); r; r = d.take()) out.push(r);
  return out;
}

describe('RangeDispenser', () => {
  it('hands out disjoint ascending ranges covering each extranonce, then rolls to the next', () => {
    const d = new RangeDispenser({ extranonceStart: 5, extranonceEnd: 8, nonces: 1000, rangeSize: 300 });
    const ranges = drain(d);
    expect(ranges.map((r) => [r.extranonce, r.start, r.count])).toEqual(
      [5, 6, 7].flatMap((k) => [[k, 0, 300], [k, 300, 300], [k, 600, 300], [k, 900, 100]]),
    );
    expect(d.drained).toBe(true);
  });

  it('covers the whole u32 nonce field without passing 2^32', () => {
    const d = new RangeDispenser({ extranonceStart: 0, extranonceEnd: 2, nonces: 2 ** 32, rangeSize: 2 ** 31 });
    expect(drain(d)).toEqual([
      { extranonce: 0, start: 0, count: 2 ** 31 },
      { extranonce: 0, start: 2 ** 31, count: 2 ** 31 },
      { extranonce: 1, start: 0, count: 2 ** 31 },
      { extranonce: 1, start: 2 ** 31, count: 2 ** 31 },
    ]);
  });

  it('re-issues given-back ranges first, lowest first', () => {
    const d = new RangeDispenser({ extranonceStart: 0, extranonceEnd: 10, nonces: 100, rangeSize: 50 });
    drain4(d);
    d.giveBack({ extranonce: 1, start: 70, count: 30 });
    d.giveBack({ extranonce: 0, start: 20, count: 30 });
    expect(d.drained).toBe(false);
    expect(d.take()).toEqual({ extranonce: 0, start: 20, count: 30 });
    expect(d.take()).toEqual({ extranonce: 1, start: 70, count: 30 });
    expect(d.take()).toEqual({ extranonce: 2, start: 0, count: 50 });
  });

  it('stops below the bound of a lowest-first search, clipping what straddles it', () => {
    const d = new RangeDispenser({ extranonceStart: 0, extranonceEnd: 1, nonces: 1000, rangeSize: 100 });
    d.take();
    d.giveBack({ extranonce: 0, start: 60, count: 40 });
    d.lowerBound(position(0, 250));
    expect(drain(d)).toEqual([
      { extranonce: 0, start: 60, count: 40 },
      { extranonce: 0, start: 100, count: 100 },
      { extranonce: 0, start: 200, count: 50 },
    ]);
    expect(d.drained).toBe(true);
    d.giveBack({ extranonce: 0, start: 300, count: 10 });
    expect(d.take()).toBeNull();
  });
});

function drain4(d: RangeDispenser): void {
  for (let i = 0; i < 4; i++) d.take();
}
