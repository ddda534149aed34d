import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Chain } from '../src/chain/chain.js';
import { generateKeyPair } from '../src/chain/keys.js';
import { networks } from '../src/chain/network.js';
import { buildTransfer } from '../src/chain/signing.js';
import { mineTemplate } from './bench-miner.js';
import { count, type FlagValues } from './flags.js';
import { startPeerProcess, until } from './peer-process.js';

/** The flags `carechain bench sync` takes (COMMAND_HELP documents each). */
export const options = { blocks: { type: 'string', default: '10000' }, txs: { type: 'string', default: '100' }, json: { type: 'boolean', default: false } } as const;

export interface SyncBenchSettings {
  blocks: number;
  txsPerBlock: number;
  json: boolean;
}

/** The settings of a run, from the parsed flags; a value it cannot use throws a FlagError. */
export function settingsFrom(values: FlagValues<typeof options>): SyncBenchSettings {
  return { blocks: count(values.blocks, '--blocks'), txsPerBlock: count(values.txs, '--txs'), json: values.json };
}

/**
 * `carechain bench sync`: a fresh node syncing a log of N blocks of M signed transfers from one peer
 * (two `carechain start` processes over TCP on loopback), against this machine's local replay of
 * the same log (Chain.open re-validating it), both in this run. DESIGN's goal: sync ≥ 70 % of replay.
 * Flags: --blocks N (10000) --txs M (100) --json. Building the log mines on the test
 * network with node:crypto (a few minutes for the defaults); only the replay and the sync are timed.
 */
export async function run(settings: SyncBenchSettings): Promise<void> {
  const { blocks, txsPerBlock } = settings;
  const dir = mkdtempSync(join(tmpdir(), 'carechain-bench-sync-'));
  try {
    const source = join(dir, 'source');
    process.stderr.write(`building a log of ${blocks} blocks × ${txsPerBlock} transfers…\n`);
    const tip = await buildLog(source, blocks, txsPerBlock);
    cpSync(source, join(dir, 'replay'), { recursive: true });

    const replayStart = performance.now();
    const replayed = await Chain.open({ dataDir: join(dir, 'replay'), network: 'test' });
    const replaySeconds = (performance.now() - replayStart) / 1000;
    if (replayed.tip().hash !== tip) throw new Error('replay ended on another tip');
    await replayed.close();

    // The serving node replays the whole log before it listens: give it the replay's time, thrice.
    const server = await startPeerProcess(['--data', source, '--no-mine'], { timeoutMs: 60_000 + replaySeconds * 3000 });
    try {
      const syncer = await startPeerProcess(['--data', join(dir, 'fresh'), '--no-mine', '--peer', server.p2pAddr]);
      try {
        // Timed from the connection on: process start-up is not sync.
        await until('the fresh node to connect', async () => ((await syncer.get<{ peers?: number }>('/status')).peers ? true : undefined), 30_000, 20);
        const started = performance.now();
        await until('the fresh node to reach the tip', async () => ((await syncer.get<{ tip: string }>('/status')).tip === tip ? true : undefined), Math.max(120_000, blocks * 200), 50);
        const syncSeconds = (performance.now() - started) / 1000;
        report(settings.json, { blocks, txsPerBlock, replaySeconds, syncSeconds });
      } finally {
        await syncer.stop();
      }
    } finally {
      await server.stop();
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

function report(json: boolean, r: { blocks: number; txsPerBlock: number; replaySeconds: number; syncSeconds: number }): void {
  const replayRate = r.blocks / r.replaySeconds;
  const syncRate = r.blocks / r.syncSeconds;
  const result = {
    bench: 'sync',
    node: process.version,
    blocks: r.blocks,
    txsPerBlock: r.txsPerBlock,
    replay: { seconds: round(r.replaySeconds), blocksPerSecond: round(replayRate) },
    sync: { seconds: round(r.syncSeconds), blocksPerSecond: round(syncRate), txPerSecond: round(syncRate * r.txsPerBlock) },
    syncOverReplay: round(syncRate / replayRate),
    goal: 0.7,
  };
  if (json) return void process.stdout.write(JSON.stringify(result) + '\n');
  process.stdout.write(`node ${process.version}, ${r.blocks} blocks × ${r.txsPerBlock} transfers\n`);
  process.stdout.write(`local replay   ${String(result.replay.blocksPerSecond).padStart(8)} blocks/s  (${result.replay.seconds} s)\n`);
  process.stdout.write(`sync, 1 peer   ${String(result.sync.blocksPerSecond).padStart(8)} blocks/s  (${result.sync.seconds} s from connecting)\n`);
  process.stdout.write(`sync / replay  ${(result.syncOverReplay * 100).toFixed(1)} %  (goal ≥ 70 %)\n`);
}

/**
 * A log on the test network: 100 senders funded by the first blocks' coinbases, then blocks of one
 * transfer from each of `perBlock` senders, one second apart (so the target stays at the easiest).
 */
async function buildLog(dataDir: string, count: number, perBlock: number): Promise<string> {
  const network = networks.test;
  const now = () => network.genesis.header.time + count + 100_000;
  const chain = await Chain.open({ dataDir, network, now, mempool: { maxCount: perBlock * 2 + 10, maxPerSender: 4 } });
  const senders = Array.from({ length: Math.max(1, Math.min(perBlock, count)) }, generateKeyPair);
  const sink = generateKeyPair().publicKey;
  for (const s of senders) if (chain.tip().height < count) await mineTemplate(chain, s.publicKey);
  let sequence = 0;
  while (chain.tip().height < count) {
    if (perBlock > 0 && chain.tip().height >= senders.length + network.coinbaseMaturity) {
      for (const s of senders.slice(0, perBlock)) chain.acceptTransaction(buildTransfer({ network, privateKey: s.privateKey, sequence, fee: 100, recipient: sink, amount: 1 }));
      sequence++;
    }
    await mineTemplate(chain, sink);
  }
  const tip = chain.tip().hash;
  await chain.close();
  return tip;
}


function round(n: number): number {
  return Number(n.toPrecision(4));
}

