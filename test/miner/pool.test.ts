import { afterEach, describe, expect, it } from 'vitest';
import { MinerPool } from '../../src/miner/pool.js';
import type { MinerPoolOptions } from '../../src/miner/pool-types.js';
import type { Solution } from '../../src/miner/job.js';
import { NOTHING, easyTarget, headerWork, makeHeader, meets, next, qualifying, sha256, sha256d, sleep, until } from './helpers.js';

const pools: MinerPool[] = [];
async function startPool(options: MinerPoolOptions): Promise<MinerPool> {
  const pool = new MinerPool(options);
  pools.push(pool);
  await pool.start();
  return pool;
}
afterEach(async () => {
  await Promise.all(pools.splice(0).map((p) => p.close()));
});

function key(s: Solution): string {
  return `${s.extranonce}:${s.nonce}`;
}

/** A solution is what it claims: the header is the job's, with the nonce in, and hashes ≤ target. */
function checkSolution(s: Solution, tag: string, target: Uint8Array): void {
  expect(Buffer.from(s.header)).toEqual(Buffer.from(makeHeader(tag, s.extranonce, s.nonce)));
  expect(Buffer.from(s.hash)).toEqual(sha256d(s.header));
  expect(meets(s.hash, target)).toBe(true);
}

describe('MinerPool', () => {
  it('finds every qualifying nonce exactly once and hashes each nonce once, through extranonce rolls', async () => {
    const pool = await startPool({ threads: 2 });
    const target = easyTarget(4);
    const work = headerWork('cover', target);
    const solutions: Solution[] = [];
    pool.on('solution', (s) => solutions.push(s));
    const before = pool.totalHashes();
    const exhausted = next(pool, 'exhausted');
    // 3 extranonces of 2000 nonces in ranges of 700: every worker rolls through several headers.
    pool.setJob({ id: 'cover', work, extranonceCount: 3, noncesPerExtranonce: 2000, rangeSize: 700 });
    expect(await exhausted).toEqual(['cover']);

    expect(pool.totalHashes() - before).toBe(3 * 2000);
    expect([...new Set(work.calls)].sort()).toEqual([0, 1, 2]);
    for (const s of solutions) checkSolution(s, 'cover', target);
    const found = solutions.map(key);
    expect(new Set(found).size).toBe(found.length);
    expect(found.sort()).toEqual(qualifying('cover', target, 3, 2000).sort());
    expect(pool.stats().invalidSolutions).toBe(0);
  });

  it('hashes exactly the space handed out while the thread count changes (paused in between)', async () => {
    const pool = await startPool({ threads: 1 });
    const exhausted = next(pool, 'exhausted');
    let done = false;
    void exhausted.then(() => (done = true));
    const space = 4 * 2 ** 20;
    pool.setJob({ id: 'grow', work: headerWork('grow', NOTHING), extranonceCount: 4, noncesPerExtranonce: 2 ** 20, rangeSize: 2 ** 16 });
    await pool.pause();
    await pool.setThreads(2);
    expect(pool.workerCount).toBe(2);
    pool.resume();
    await until(() => pool.workerHashes()[1]!.hashes > 0, 'the new worker to hash');
    await pool.pause();
    await pool.setThreads(1); // slot 1 leaves with ranges in hand: they go back to slot 0
    expect(pool.workerCount).toBe(1);
    expect(done).toBe(false);
    pool.resume();
    await exhausted;
    expect(pool.totalHashes()).toBe(space);
  });

  it('never reports a solution of a job that was replaced', async () => {
    const pool = await startPool({ threads: 2 });
    const target = easyTarget(12);
    const seen: Solution[] = [];
    pool.on('solution', (s) => seen.push(s));
    pool.setJob({ id: 'old', work: headerWork('old', target) });
    await until(() => seen.length >= 5, 'solutions of the old job');
    pool.setJob({ id: 'new', work: headerWork('new', target) });
    const switchedAt = seen.length;
    await until(() => seen.length >= switchedAt + 5, 'solutions of the new job');
    pool.clearJob();
    await sleep(50);
    const after = seen.slice(switchedAt);
    expect(after.every((s) => s.jobId === 'new')).toBe(true);
    for (const s of seen) checkSolution(s, String(s.jobId), target);
    expect(pool.stats().invalidSolutions).toBe(0);
  });

  it('replaces a killed worker, re-issues its range and keeps mining', async () => {
    const pool = await startPool({ threads: 2 });
    const target = easyTarget(10);
    const solutions: Solution[] = [];
    pool.on('solution', (s) => solutions.push(s));
    const events: string[] = [];
    pool.on('workerDied', (d) => events.push(`died ${d.slot} replaced=${d.replaced}`));
    pool.on('exhausted', () => events.push('exhausted'));
    const exhausted = next(pool, 'exhausted');
    pool.setJob({ id: 'kill', work: headerWork('kill', target), extranonceCount: 2, noncesPerExtranonce: 200_000, rangeSize: 20_000 });
    await until(() => pool.workerHashes()[0]!.hashes > 0, 'worker 0 to hash');
    await pool.killWorker(0);
    await exhausted;
    expect(events[0]).toBe('died 0 replaced=true');
    expect(pool.restarts).toBe(1);
    const found = solutions.map(key);
    expect(new Set(found).size).toBe(found.length);
    expect(found.sort()).toEqual(qualifying('kill', target, 2, 200_000).sort());

    // The replacement takes slot 0 over; its counter carries on from where the dead worker's stopped.
    await until(() => pool.workerCount === 2 && pool.miningWorkers() === 0, 'the replacement');
    const slot0 = pool.workerHashes()[0]!.hashes;
    pool.setJob({ id: 'after', work: headerWork('after', NOTHING) });
    await until(() => pool.workerHashes()[0]!.hashes > slot0, 'the replacement to hash');
    expect(pool.miningWorkers()).toBe(2);
  });

  it('changes the thread count live while mining', async () => {
    const pool = await startPool({ threads: 2 });
    pool.setJob({ id: 'live', work: headerWork('live', NOTHING) });
    await until(() => pool.workerHashes().every((w) => w.hashes > 0), 'both workers to hash');
    await pool.setThreads(1);
    expect(pool.workerCount).toBe(1);
    const retired = pool.workerHashes()[1]!.hashes;
    const kept = pool.workerHashes()[0]!.hashes;
    await until(() => pool.workerHashes()[0]!.hashes > kept, 'the remaining worker to hash');
    expect(pool.workerHashes()[1]!.hashes).toBe(retired);
    await pool.setThreads(2);
    expect(pool.workerCount).toBe(2);
    await until(() => pool.workerHashes()[1]!.hashes > retired, 'the new worker to hash');
    expect(pool.stats().perWorker.map((w) => w.alive)).toEqual([true, true]);
  });

  it('pause stops the counters; resume restarts them', async () => {
    const pool = await startPool({ threads: 2 });
    pool.setJob({ id: 'p', work: headerWork('p', NOTHING) });
    await until(() => pool.totalHashes() > 0, 'hashing');
    await pool.pause();
    expect(pool.paused).toBe(true);
    expect(pool.miningWorkers()).toBe(0);
    const frozen = pool.workerHashes();
    await sleep(100);
    expect(pool.workerHashes()).toEqual(frozen);
    pool.resume();
    await until(() => pool.workerHashes().every((w, i) => w.hashes > frozen[i]!.hashes), 'both workers to hash again');
  });

  it('times job switches and reports rates only once a window is full', async () => {
    const pool = await startPool({ threads: 2 });
    const switches: number[] = [];
    pool.on('jobSwitch', (s) => switches.push(s.ms));
    for (let i = 0; i < 5; i++) {
      pool.setJob({ id: i, work: headerWork(`s${i}`, NOTHING) });
      await until(() => switches.length > i, `switch ${i} to be timed`);
    }
    expect(pool.jobSwitchTimes()).toEqual(switches);
    expect(switches.every((ms) => ms >= 0)).toBe(true);
    expect(pool.hashRates()).toEqual({ '10s': null, '60s': null, '15m': null });
    expect(pool.peakHashRate10s).toBeNull();
  });

  it('solves the puzzle with the lowest nonce however the ranges fall', async () => {
    const pool = await startPool({ threads: 2 });
    for (const prefix of ['blockchain', 'carechain']) {
      let expected = 0;
      while (!sha256Hex(prefix + expected).startsWith('0000')) expected++;
      // Tiny ranges: both workers take many ranges below the answer and one of them overshoots it.
      const found = await pool.solvePuzzle(prefix, 4, { rangeSize: 1000 });
      expect(found).toEqual({ nonce: expected, hash: sha256Hex(prefix + expected) });
    }
  });

  it('stops a one-thread puzzle at the answer: nothing past it is hashed', async () => {
    const pool = await startPool({ threads: 1 });
    let expected = 0;
    while (!sha256Hex(`care${expected}`).startsWith('000')) expected++;
    expect(await pool.solvePuzzle('care', 3, { rangeSize: 64 })).toEqual({ nonce: expected, hash: sha256Hex(`care${expected}`) });
    expect(pool.totalHashes()).toBe(expected + 1);
  });

  it('drops a job the kernel refuses, without killing workers', async () => {
    const pool = await startPool({ threads: 2 });
    await expect(pool.solvePuzzle('x'.repeat(5000), 1)).rejects.toThrow(/refused/);
    expect(pool.restarts).toBe(0);
    expect(await pool.solvePuzzle('x', 1)).not.toBeNull();
  });

  it('rejects start when the kernel cannot load', async () => {
    const pool = new MinerPool({ threads: 1, flavor: 'missing' as never });
    await expect(pool.start()).rejects.toThrow();
    expect(pool.workerCount).toBe(0);
  });
});

function sha256Hex(s: string): string {
  return sha256(s).toString('hex');
}
