import { describe, expect, it } from 'vitest';
import { HashRateMeter } from '../../src/miner/hashrate.js';

describe('HashRateMeter', () => {
  it('is null until a window is full, then averages over it', () => {
    const meter = new HashRateMeter(0, 0, 1000);
    for (let t = 1000; t <= 9000; t += 1000) meter.record(t, t * 5); // 5000 H/s
    expect(meter.rates(9500, 47_500)).toEqual({ '10s': null, '60s': null, '15m': null });
    expect(meter.peak10s).toBeNull();
    meter.record(10_000, 50_000);
    expect(meter.rates(10_000, 50_000)['10s']).toBe(5000);
    expect(meter.rates(10_000, 50_000)['60s']).toBeNull();
    expect(meter.peak10s).toBe(5000);
  });

  it('fills the 60 s and 15 min windows in turn and keeps the highest 10 s rate', () => {
    const meter = new HashRateMeter(0, 0, 1000);
    let total = 0;
    for (let t = 1000; t <= 900_000; t += 1000) {
      total += t <= 20_000 ? 8000 : 2000; // fast at first, then slow
      meter.record(t, total);
    }
    const rates = meter.rates(900_000, total);
    expect(rates['10s']).toBe(2000);
    expect(rates['60s']).toBe(2000);
    expect(rates['15m']).toBeCloseTo(total / 900, 6);
    expect(meter.peak10s).toBe(8000);
  });

  it('uses the current reading between samples', () => {
    const meter = new HashRateMeter(0, 0, 1000);
    for (let t = 1000; t <= 10_000; t += 1000) meter.record(t, 0);
    expect(meter.rates(10_500, 10_500)['10s']).toBe(1000);
  });
});
