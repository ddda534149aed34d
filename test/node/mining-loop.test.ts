import { afterEach, describe, expect, it } from 'vitest';
import type { Chain } from '../../src/chain/chain.js';
import { buildTransfer } from '../../src/chain/signing.js';
import type { BlockTemplate } from '../../src/chain/template.js';
import { recordNodeEvents } from '../../src/node/event-wiring.js';
import { MiningLoop, type MinedBlock } from '../../src/node/mining-loop.js';
import { keys, openChain, removeTempDirs, testNet } from '../chain/helpers.js';
import { FakePool, memoryLogger, recordingMetrics, until } from './fakes.js';

const miner = keys();
let chain: Chain;
let loop: MiningLoop | undefined;

afterEach(async () => {
  loop?.stop();
  loop = undefined;
  await chain?.close();
  removeTempDirs();
});

async function setup(options: { txRefreshMs?: number; now?: () => number } = {}) {
  chain = await openChain();
  const pool = new FakePool();
  const metrics = recordingMetrics();
  const log = memoryLogger();
  const mined: MinedBlock[] = [];
  loop = new MiningLoop(chain, pool.asPool(), log, { recipient: miner.publicKey, onBlockMined: (b) => mined.push(b), ...options });
  return { pool, metrics, log, mined, loop };
}

const templateOf = (pool: FakePool) => pool.job!.work as BlockTemplate;

describe('MiningLoop', () => {
  it('mines the tip, submits each solution through the chain and moves the workers to the new tip at once', async () => {
    const { pool, metrics, mined, loop } = await setup();
    loop.start();
    expect(templateOf(pool).height).toBe(1);

    pool.solve();
    await until(() => chain.tip().height === 1);
    expect(mined).toMatchObject([{ height: 1, outcome: 'new-tip', hash: chain.tip().hash }]);
    // The next job was handed out by the chain's tip event, before anything else ran.
    expect(templateOf(pool).height).toBe(2);
    expect(chain.account(miner.publicKey).balance).toBe(50 * 100_000_000);
    expect(loop.blocksFound).toBe(1);
    expect(loop.currentJob()?.template.height).toBe(2);
  });

  it('submits one block per job however many solutions the workers report, and ignores stale jobs', async () => {
    const { pool, metrics, loop } = await setup();
    loop.start();
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

  it('puts new transactions into the template within txRefreshMs, one job switch for a burst', async () => {
    const { pool, loop } = await setup({ txRefreshMs: 30 });
    loop.start();
    const mature = 1 + testNet.coinbaseMaturity; // the first reward may be spent from here on
    for (let h = 1; h <= mature; h++) {
      pool.solve();
      await until(() => chain.tip().height === h);
    }
    const jobsBefore = pool.jobs.length;
    const recipient = keys().publicKey;
    for (let sequence = 0; sequence < 3; sequence++) {
      const tx = buildTransfer({ network: testNet, privateKey: miner.privateKey, sequence, fee: 100, recipient, amount: 10 });
      expect(chain.acceptTransaction(tx).accepted).toBe(true);
    }
    expect(templateOf(pool).fields.txs).toHaveLength(0);
    await until(() => templateOf(pool).fields.txs.length === 3);
    expect(pool.jobs.length).toBe(jobsBefore + 1);

    pool.solve();
    await until(() => chain.tip().height === mature + 1);
    expect(chain.account(recipient).balance).toBe(30);
  });

  it('logs a refused own block and mines a fresh template a second later, not the dead one at once', async () => {
    const { pool, log, metrics, loop } = await setup();
    chain.submitBlock = async () => ({ status: 'rejected', reason: 'time-too-new', message: 'block time too far ahead', penalty: 'none' });
    loop.start();
    const first = pool.job!;
    pool.solve();
    await until(() => log.lines.some((l) => l.includes('own block')));
    expect(log.lines.find((l) => l.includes('own block'))).toMatch(/^warn miner: own block .*rejected: time-too-new/);
    expect(pool.job).toBe(first);
    await until(() => pool.job !== first, 3000);
    expect(loop.blocksFound).toBe(0);
    expect(loop.blocksFound).toBe(0);
  });

  it('idles the workers rather than mine a block too far ahead of the clock, then carries on', async () => {
    let clockSkew = -60.05; // the template's time is 60.05 s ahead of this clock: 50 ms past the 60 s limit
    let templateTime = 0;
    const { pool, log, loop } = await setup({ now: () => templateTime + clockSkew });
    templateTime = chain.template(miner.publicKey).fields.time;
    loop.start();
    expect(pool.job).toBeNull();
    expect(pool.cleared).toBe(1);
    expect(log.lines.filter((l) => l.includes('idling until the clock catches up'))).toHaveLength(1);
    clockSkew = 0;
    await until(() => pool.job !== null);
    expect(templateOf(pool).height).toBe(1);
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
