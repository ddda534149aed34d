import { afterEach, describe, expect, it } from 'vitest';
import type { Chain } from '../../src/chain/chain.js';
import type { BlockTemplate } from '../../src/chain/template.js';
import { recordNodeEvents } from '../../src/node/event-wiring.js';
import { JobPublisher, type JobPublisherOptions } from '../../src/node/job-publisher.js';
import { MiningLoop, type MinedBlock } from '../../src/node/mining-loop.js';
import { keys, openChain, removeTempDirs } from '../chain/helpers.js';
import { FakePool, memoryLogger, recordingMetrics, until } from './fakes.js';

const miner = keys();
let chain: Chain;
let loop: MiningLoop | undefined;
let publisher: JobPublisher | undefined;

afterEach(async () => {
  loop?.stop();
  publisher?.stop();
  loop = publisher = undefined;
  await chain?.close();
  removeTempDirs();
});

async function setup(options: Partial<JobPublisherOptions> = {}) {
  chain = await openChain();
  const pool = new FakePool();
  const log = memoryLogger();
  const mined: MinedBlock[] = [];
  publisher = new JobPublisher(chain, log, { recipient: miner.publicKey, ...options });
  loop = new MiningLoop(chain, publisher, pool.asPool(), log, { onBlockMined: (b) => mined.push(b) });
  return { pool, log, mined, loop, publisher };
}

const templateOf = (pool: FakePool) => pool.job!.work as BlockTemplate;

describe('MiningLoop', () => {
  it('mines the publisher\'s job, submits each solution through the chain and moves the workers to the new tip at once', async () => {
    const { pool, mined, loop, publisher } = await setup();
    loop.start();
    publisher.start();
    expect(templateOf(pool).height).toBe(1);

    pool.solve();
    await until(() => chain.tip().height === 1);
    expect(mined).toMatchObject([{ height: 1, outcome: 'new-tip', hash: chain.tip().hash }]);
    // The next job was handed out by the chain's tip event, before anything else ran.
    expect(templateOf(pool).height).toBe(2);
    expect(chain.account(miner.publicKey).balance).toBe(50 * 100_000_000);
    expect(loop.blocksFound).toBe(1);
    expect(loop.currentJob()?.template.height).toBe(2);
    expect(pool.job!.id).toBe(publisher.current()!.id);
  });

  it('takes over a publisher that is already running: its current job goes to the pool at start', async () => {
    const { pool, loop, publisher } = await setup();
    publisher.start();
    expect(pool.job).toBeNull();
    loop.start();
    expect(pool.job!.id).toBe(publisher.current()!.id);
  });

  it('submits one block per job however many solutions the workers report, and ignores stale jobs', async () => {
    const { pool, loop, publisher } = await setup();
    loop.start();
    publisher.start();
    const first = pool.job;
    pool.solve(first, 0);
    pool.solve(first, 1); // the same job solved again before the new one reached the workers
    await until(() => chain.tip().height === 1);
    pool.solve(first, 2); // arrives after the switch: stale
    await new Promise((r) => setTimeout(r, 50));
    expect(chain.tip().height).toBe(1);
    expect(loop.blocksFound).toBe(1);
    expect(chain.blockByHeight(1)!.confirmations).toBe(1);
  });

  it('logs a refused own block and mines a fresh template a second later, not the dead one at once', async () => {
    const { pool, log, loop, publisher } = await setup();
    chain.submitBlock = async () => ({ status: 'rejected', reason: 'time-too-new', message: 'block time too far ahead', penalty: 'none' });
    loop.start();
    publisher.start();
    const first = pool.job!;
    pool.solve();
    await until(() => log.lines.some((l) => l.includes('own block')));
    expect(log.lines.find((l) => l.includes('own block'))).toMatch(/^warn miner: own block .*rejected: time-too-new/);
    expect(pool.job).toBe(first);
    const at = Date.now();
    await until(() => pool.job !== first, 3000);
    expect(Date.now() - at).toBeGreaterThan(500);
    expect(loop.blocksFound).toBe(0);
  });

  it('idles the workers while the publisher holds for the clock, then carries on', async () => {
    let clockSkew = -60.05;
    let templateTime = 0;
    const { pool, loop, publisher } = await setup({ now: () => templateTime + clockSkew });
    templateTime = chain.template(miner.publicKey).fields.time;
    loop.start();
    publisher.start();
    expect(pool.job).toBeNull();
    expect(pool.cleared).toBe(1);
    clockSkew = 0;
    await until(() => pool.job !== null);
    expect(templateOf(pool).height).toBe(1);
  });

  it('asks the publisher for a fresh job when the pool has hashed every extranonce of one', async () => {
    const { pool, loop, publisher } = await setup();
    loop.start();
    publisher.start();
    const first = pool.job!;
    pool.emit('exhausted', first.id);
    expect(pool.job!.id).not.toBe(first.id);
    expect(pool.job!.id).toBe(publisher.current()!.id);
  });
});

describe('recordNodeEvents', () => {
  it('counts blocks by source, reorgs with their depth, tip changes, block intervals and rejections from the chain, and job switches from the pool', async () => {
    chain = await openChain();
    const pool = new FakePool();
    const metrics = recordingMetrics();
    const log = memoryLogger();
    let clock = 1000;
    const stop = recordNodeEvents(chain, pool.asPool(), metrics, log, () => clock);
    expect(metrics.calls.tipChanged).toHaveLength(1); // the loaded tip, stamped at start
    const tip = { hash: 'ab'.repeat(32), height: 5, previousHash: 'cd'.repeat(32), time: 0, difficulty: 1 };
    chain.emit('tip', { ...tip, reorgDepth: 0 });
    clock += 2500;
    chain.emit('tip', { ...tip, reorgDepth: 2 });
    chain.emit('block', { hash: 'ab'.repeat(32), height: 5, outcome: 'new-tip', reorgDepth: 0, source: 'miner' });
    chain.emit('block', { hash: 'ef'.repeat(32), height: 5, outcome: 'side-branch', reorgDepth: 0, source: 'miner' });
    chain.emit('block', { hash: 'cd'.repeat(32), height: 6, outcome: 'reorg', reorgDepth: 1, source: 'peer' });
    chain.emit('block-rejected', { reason: 'high-hash', message: 'x', source: 'peer' });
    chain.emit('tx-rejected', { reason: 'bad-signature', message: 'x' });
    pool.emit('jobSwitch', { jobId: 1, ms: 4 });
    expect(metrics.calls).toMatchObject({
      blockInterval: [[2.5]],
      reorg: [[2]],
      tipChanged: [[], [], []],
      blockRejected: [['high-hash']],
      transactionRejected: [['bad-signature']],
      jobSwitched: [[0.004]],
      // Every block the miner found counts as mined; only best-chain blocks count as accepted, by source.
      blockMined: [[], []],
      blockAccepted: [['miner'], ['peer']],
    });
    expect(log.lines.some((l) => l.startsWith('warn chain: reorg of 2 block(s)'))).toBe(true);
    stop();
    chain.emit('tip', { ...tip, reorgDepth: 1 });
    expect(metrics.calls.reorg).toHaveLength(1);
    expect(metrics.calls.tipChanged).toHaveLength(3);
  });
});
