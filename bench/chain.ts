import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { Chain } from '../src/chain/chain.js';
import { generateKeyPair } from '../src/chain/keys.js';
import type { Network } from '../src/chain/network.js';
import { buildTransfer } from '../src/chain/signing.js';
import { benchNetwork, mineTemplate } from './bench-miner.js';
import { count, type FlagValues } from './flags.js';
import { fullPoolBench } from './mempool.js';

/** The flags `carechain bench chain` takes (COMMAND_HELP documents each). */
export const options = {
  blocks: { type: 'string', default: '10000' },
  txs: { type: 'string', default: '100' },
  admit: { type: 'string', default: '20000' },
  pool: { type: 'string', default: '10000' },
  flood: { type: 'string', default: '10000' },
  json: { type: 'boolean', default: false },
} as const;

export interface ChainBenchSettings {
  /** Blocks in the log that is replayed. */
  blocks: number;
  /** Signed transfers per block. */
  txsPerBlock: number;
  /** Signed transfers admitted to the mempool. */
  admit: number;
  /** A full mempool of this many, then `flood` better payers admitted into it (0: skip). */
  pool: number;
  flood: number;
  json: boolean;
}

/** The settings of a run, from the parsed flags; a value it cannot use throws a FlagError. */
export function settingsFrom(values: FlagValues<typeof options>): ChainBenchSettings {
  return {
    blocks: count(values.blocks, '--blocks'),
    txsPerBlock: count(values.txs, '--txs'),
    admit: count(values.admit, '--admit'),
    pool: count(values.pool, '--pool'),
    flood: count(values.flood, '--flood'),
    json: values.json,
  };
}

/**
 * `carechain bench chain`: chain replay (blocks/s re-validating a log of N blocks of M transfers,
 * Ed25519 included) and transaction admission (tx/s into the mempool, Ed25519 included).
 * Blocks are mined on a bench network whose target nearly every hash meets: the PoW check still runs.
 */
export async function run(settings: ChainBenchSettings): Promise<void> {
  const { blocks, txsPerBlock, admit } = settings;
  const network = benchNetwork();
  const dir = mkdtempSync(join(tmpdir(), 'carechain-bench-'));
  try {
    const replay = await replayBench(network, join(dir, 'replay'), blocks, txsPerBlock);
    const admission = await admissionBench(network, join(dir, 'admit'), admit);
    const fullPool = settings.pool > 0 && settings.flood > 0 ? await fullPoolBench(network, (name) => join(dir, name), settings.pool, settings.flood, mineTemplate) : null;
    const result = {
      bench: 'chain',
      node: process.version,
      execArgv: process.execArgv,
      replay: { blocks, txsPerBlock, seconds: round(replay.seconds), blocksPerSecond: round(blocks / replay.seconds), txPerSecond: round((blocks * txsPerBlock) / replay.seconds), logBytes: replay.bytes },
      admission: { transactions: admit, seconds: round(admission.seconds), txPerSecond: round(admit / admission.seconds) },
      fullPool,
    };
    if (settings.json) {
      process.stdout.write(JSON.stringify(result) + '\n');
      return;
    }
    const rows = [
      ['chain replay', `${blocks} blocks × ${txsPerBlock} tx`, `${result.replay.blocksPerSecond} blocks/s`, `${result.replay.txPerSecond} tx/s`],
      ['tx admission', `${admit} transfers`, `${result.admission.txPerSecond} tx/s`, 'Ed25519 verify included'],
    ];
    if (fullPool) {
      rows.push(['full pool', `${fullPool.flood} into ${fullPool.poolSize}`, `${fullPool.chain.txPerSecond} tx/s`, `chain only; ${fullPool.chain.admitted} admitted, ${fullPool.chain.evicted} evicted`]);
      rows.push(['full, durable', `${fullPool.flood} into ${fullPool.poolSize}`, `${fullPool.durable.txPerSecond} tx/s`, `journal fsync'd, ${fullPool.durable.inFlight} in flight; ${fullPool.durable.admitted} admitted, ${fullPool.durable.evicted} evicted`]);
    }
    process.stdout.write(`node ${process.version} ${process.execArgv.join(' ')}\n`);
    for (const row of rows) process.stdout.write(`${row[0]!.padEnd(14)} ${row[1]!.padEnd(26)} ${row[2]!.padEnd(18)} ${row[3]}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Build a log of `count` blocks of `perBlock` signed transfers, then time a cold open (replay + validation). */
async function replayBench(network: Network, dataDir: string, count: number, perBlock: number): Promise<{ seconds: number; bytes: number }> {
  const now = () => network.genesis.header.time + 10 * count + 10_000;
  const chain = await Chain.open({ dataDir, network, now, mempool: { maxCount: perBlock * 2 + 10, maxPerSender: 4 } });
  const senders = Array.from({ length: Math.max(1, perBlock) }, generateKeyPair);
  const sink = generateKeyPair().publicKey;
  // Fund one sender per block, then every block carries one transfer from each.
  for (const s of senders) await mineTemplate(chain, s.publicKey);
  let sequence = 0;
  while (chain.tip().height < count) {
    // Rewards wait coinbaseMaturity blocks before they may be spent.
    if (perBlock > 0 && chain.tip().height >= senders.length + network.coinbaseMaturity) {
      for (const s of senders) {
        chain.acceptTransaction(buildTransfer({ network, privateKey: s.privateKey, sequence, fee: 100, recipient: sink, amount: 1 }));
      }
      sequence++;
    }
    await mineTemplate(chain, sink);
  }
  await chain.close();
  const start = performance.now();
  const replayed = await Chain.open({ dataDir, network, now });
  const seconds = (performance.now() - start) / 1000;
  if (replayed.tip().height !== chain.tip().height) throw new Error('replay lost blocks');
  const bytes = replayed.storeBytes;
  await replayed.close();
  return { seconds, bytes };
}

/** Time admitting `count` signed transfers from many funded senders. */
async function admissionBench(network: Network, dataDir: string, count: number): Promise<{ seconds: number }> {
  const perSender = 50;
  const senders = Array.from({ length: Math.max(1, Math.ceil(count / perSender)) }, generateKeyPair);
  const chain = await Chain.open({ dataDir, network, now: () => network.genesis.header.time + 100_000, mempool: { maxCount: count + 1, maxBytes: count * 200, maxPerSender: perSender } });
  for (const s of senders) await mineTemplate(chain, s.publicKey);
  const sink = generateKeyPair().publicKey;
  for (let i = 0; i < network.coinbaseMaturity; i++) await mineTemplate(chain, sink);
  const txs = [];
  for (let i = 0; i < count; i++) {
    const s = senders[Math.floor(i / perSender)]!;
    txs.push(buildTransfer({ network, privateKey: s.privateKey, sequence: i % perSender, fee: 100 + (i % 7), recipient: sink, amount: 1 }));
  }
  const start = performance.now();
  for (const tx of txs) {
    const r = chain.acceptTransaction(tx);
    if (!r.accepted) throw new Error(`admission bench: ${r.reason}`);
  }
  const seconds = (performance.now() - start) / 1000;
  await chain.close();
  return { seconds };
}



function round(n: number): number {
  return Number(n.toPrecision(4));
}
