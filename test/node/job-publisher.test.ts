import { afterEach, describe, expect, it, vi } from 'vitest';
import type { Chain } from '../../src/chain/chain.js';
import { toDisplayHex } from '../../src/chain/hash.js';
import { buildTransfer } from '../../src/chain/signing.js';
import { JobPublisher, type JobPublisherOptions, type PublishedJob } from '../../src/node/job-publisher.js';
import { keys, mineMany, mineNext, openChain, removeTempDirs, testNet } from '../chain/helpers.js';
import { memoryLogger, until } from './fakes.js';

const miner = keys();
let chain: Chain;
let publisher: JobPublisher | undefined;

afterEach(async () => {
  vi.useRealTimers();
  publisher?.stop();
  publisher = undefined;
  await chain?.close();
  removeTempDirs();
});

async function setup(options: Partial<JobPublisherOptions> = {}) {
  chain = await openChain();
  const log = memoryLogger();
  publisher = new JobPublisher(chain, log, { recipient: miner.publicKey, ...options });
  const jobs: PublishedJob[] = [];
  let holds = 0;
  publisher.on('job', (job) => jobs.push(job));
  publisher.on('hold', () => holds++);
  return { publisher, jobs, log, holds: () => holds };
}

describe('JobPublisher', () => {
  it('publishes a clean job on the new tip at once, from inside the chain\'s tip event', async () => {
    const { publisher, jobs } = await setup();
    publisher.start();
    expect(jobs).toHaveLength(1);
    expect(jobs[0]).toMatchObject({ id: 1, clean: true });
    expect(jobs[0]!.template.height).toBe(1);

    let jobsAtTip = -1;
    chain.once('tip', () => (jobsAtTip = jobs.length)); // registered after the publisher's own listener
    await mineNext(chain);
    // The job was out before any other callback of the tip ran.
    expect(jobsAtTip).toBe(2);
    expect(jobs[1]).toMatchObject({ id: 2, clean: true });
    expect(toDisplayHex(jobs[1]!.template.fields.prevHash)).toBe(chain.tip().hash);
    expect(publisher.current()).toBe(jobs[1]);
  });

  it('gathers a burst of transactions into one refresh within txRefreshMs, not a clean one', async () => {
    const { publisher, jobs } = await setup({ txRefreshMs: 30 });
    publisher.start();
    const recipient = keys().publicKey;
    const funded = keys();
    await mineNext(chain, { recipient: funded.publicKey });
    await mineMany(chain, testNet.coinbaseMaturity); // the reward matures
    const before = jobs.length;
    for (let sequence = 0; sequence < 3; sequence++) {
      const tx = buildTransfer({ network: testNet, privateKey: funded.privateKey, sequence, fee: 100, recipient, amount: 10 });
      expect(chain.acceptTransaction(tx).accepted).toBe(true);
    }
    expect(jobs).toHaveLength(before);
    await until(() => jobs.length > before);
    await new Promise((r) => setTimeout(r, 60));
    expect(jobs).toHaveLength(before + 1);
    expect(jobs.at(-1)).toMatchObject({ clean: false });
    expect(jobs.at(-1)!.template.fields.txs).toHaveLength(3);
  });

  it('publishes a fresh job every 30 s by default, so ntime moves on a quiet chain', async () => {
    let clock = testNet.genesis.header.time + 100_000;
    const { publisher, jobs } = await setup({ now: () => clock });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    publisher.start();
    expect(jobs).toHaveLength(1);
    clock += 29.9;
    vi.advanceTimersByTime(29_900);
    expect(jobs).toHaveLength(1);
    clock += 0.1;
    vi.advanceTimersByTime(100);
    expect(jobs).toHaveLength(2);
    expect(jobs[1]).toMatchObject({ id: 2, clean: false });
    expect(jobs[1]!.template.fields.prevHash).toEqual(jobs[0]!.template.fields.prevHash);
    vi.advanceTimersByTime(30_000);
    expect(jobs).toHaveLength(3);
  });

  it('while no miner is on the jobs, rebuilds on a new tip only; the transactions come in once one is', async () => {
    let miners = 0;
    const { publisher, jobs } = await setup({ txRefreshMs: 30, wanted: () => miners > 0 });
    publisher.start();
    const funded = keys();
    await mineNext(chain, { recipient: funded.publicKey });
    await mineMany(chain, testNet.coinbaseMaturity);
    expect(jobs.at(-1)).toMatchObject({ clean: true }); // every tip, wanted or not
    const atTip = jobs.length;
    for (let sequence = 0; sequence < 2; sequence++) {
      const tx = buildTransfer({ network: testNet, privateKey: funded.privateKey, sequence, fee: 100, recipient: keys().publicKey, amount: 10 });
      expect(chain.acceptTransaction(tx).accepted).toBe(true);
    }
    await new Promise((r) => setTimeout(r, 150));
    expect(jobs).toHaveLength(atTip); // nobody mining: no template work for transactions
    miners = 1;
    await until(() => jobs.length > atTip);
    expect(jobs.at(-1)).toMatchObject({ clean: false });
    expect(jobs.at(-1)!.template.fields.txs).toHaveLength(2);
  });

  it('skips the age refresh while no miner is on the jobs, and makes it once one is', async () => {
    let clock = testNet.genesis.header.time + 100_000;
    let miners = 0;
    const { publisher, jobs } = await setup({ now: () => clock, wanted: () => miners > 0 });
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    publisher.start();
    clock += 60;
    vi.advanceTimersByTime(60_000);
    expect(jobs).toHaveLength(1);
    miners = 1;
    clock += 30;
    vi.advanceTimersByTime(30_000);
    expect(jobs).toHaveLength(2);
  });

  it('holds rather than publish a block too far ahead of the clock, then carries on with a clean job', async () => {
    let clockSkew = -60.05; // the template's time is 60.05 s ahead of this clock: 50 ms past the 60 s limit
    let templateTime = 0;
    const { publisher, jobs, log, holds } = await setup({ now: () => templateTime + clockSkew });
    templateTime = chain.template(miner.publicKey).fields.time;
    publisher.start();
    expect(jobs).toHaveLength(0);
    expect(holds()).toBe(1);
    expect(publisher.current()).toBeNull();
    expect(log.lines.filter((l) => l.includes('idling until the clock catches up'))).toHaveLength(1);
    clockSkew = 0;
    await until(() => jobs.length === 1);
    expect(jobs[0]).toMatchObject({ clean: true });
    expect(jobs[0]!.template.height).toBe(1);
  });
});
