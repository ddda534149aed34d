import { describe, expect, it } from 'vitest';
import { MinerPool } from '../../src/miner/pool.js';
import { NOTHING, headerWork } from './helpers.js';

// Jobs are checked once, on the way in: a bad one throws from setJob and leaves the pool as it was.
describe('MinerPool.setJob validation', () => {
  /** A pool holding the good job 'ok', its own for each test; never started: no workers needed. */
  const poolWithJob = () => {
    const pool = new MinerPool({ threads: 1 });
    pool.setJob({ id: 'ok', work: headerWork('ok', NOTHING) });
    return pool;
  };

  it('takes a good job', () => {
    const pool = new MinerPool({ threads: 1 });
    expect(pool.jobId).toBeNull();
    pool.setJob({ id: 'ok', work: headerWork('ok', NOTHING) });
    expect(pool.jobId).toBe('ok');
  });

  it('refuses a target that is not 32 bytes', () => {
    const pool = poolWithJob();
    expect(() => pool.setJob({ id: 'bad', work: { target: new Uint8Array(31), headerFor: () => new Uint8Array(80) } })).toThrow(/32 bytes/);
    expect(pool.jobId).toBe('ok');
  });

  it('refuses a template whose header is not 80 bytes', () => {
    const pool = poolWithJob();
    expect(() => pool.setJob({ id: 'bad', work: { target: NOTHING, headerFor: () => new Uint8Array(79) } })).toThrow(/80 bytes/);
    expect(pool.jobId).toBe('ok');
  });

  it('refuses ranges outside the u32 fields', () => {
    const pool = poolWithJob();
    const work = headerWork('r', NOTHING);
    expect(() => pool.setJob({ id: 'bad', work, noncesPerExtranonce: 2 ** 32 + 1 })).toThrow(RangeError);
    expect(() => pool.setJob({ id: 'bad', work, extranonceStart: 2 ** 32 - 1, extranonceCount: 2 })).toThrow(RangeError);
    expect(() => pool.setJob({ id: 'bad', work, rangeSize: 2 ** 31 + 1 })).toThrow(RangeError);
    expect(pool.jobId).toBe('ok');
  });

  it('refuses bad pool options', () => {
    expect(() => new MinerPool({ threads: 0 })).toThrow(RangeError);
    expect(() => new MinerPool({ sliceMs: 0 })).toThrow(RangeError);
  });
});
