import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Worker } from 'node:worker_threads';
import { Chain } from '../src/chain/chain.js';
import { generateKeyPair, type KeyPair } from '../src/chain/keys.js';
import { networks } from '../src/chain/network.js';
import { buildTransfer } from '../src/chain/signing.js';
import { encodeTx } from '../src/chain/tx.js';
import { mineTemplate } from './bench-miner.js';
import { startBenchNode } from './http-node.js';

/**
 * `carechain bench http --flood N`: the full-mempool flood of issue 9 against a real node process.
 * A data directory is prepared in this process (test network: wallets paid by coinbases, matured),
 * the node starts on it without mining (so the pool stays full), its mempool is filled to its
 * 10,000-entry cap with cheap transfers, then N transfers that each pay more than the last are
 * posted as fast as it answers while GET /status is timed every 10 ms from a separate connection.
 */
export interface FloodReport {
  wallets: number;
  fill: number;
  flood: number;
  connections: number;
  /** Transfers the node answered 202 during the flood, a second. */
  admittedPerSecond: number;
  statusCodes: Record<string, number>;
  /** GET /status latency before the flood (the pool full, no load) and during it. */
  statusIdle: Latency;
  statusDuringFlood: Latency;
}

export interface Latency {
  samples: number;
  p50Ms: number;
  p99Ms: number;
  maxMs: number;
}

const POOL = 10_000;
/** Transfers per wallet in each phase (the mempool lets a sender have 64 pending). */
const PER_WALLET = 25;

type Post = (bodies: string[], connections: number) => Promise<{ seconds: number; statusCodes: Record<string, number>; ok: number }>;

export async function measureFlood(flood: number, connections: number, post: (url: string) => Post): Promise<FloodReport> {
  const wallets = Math.ceil(POOL / PER_WALLET) + Math.ceil(flood / PER_WALLET);
  const dataDir = mkdtempSync(join(tmpdir(), 'carechain-bench-flood-'));
  try {
    const keys = await fundedDataDir(dataDir, wallets);
    const node = await startBenchNode(['--rate-limit', '0', '--max-connections-per-client', '0', '--no-mine'], dataDir);
    try {
      const { fill, rising } = transfers(keys, POOL, flood);
      const send = post(node.url);
      await send(fill, connections);
      const statusIdle = await timeStatus(node.url, async () => sleep(2000));
      let result!: Awaited<ReturnType<Post>>;
      const statusDuringFlood = await timeStatus(node.url, async () => {
        result = await send(rising, connections);
      });
      return {
        wallets,
        fill: POOL,
        flood,
        connections,
        admittedPerSecond: Math.round((result.statusCodes['202'] ?? 0) / result.seconds),
        statusCodes: result.statusCodes,
        statusIdle,
        statusDuringFlood,
      };
    } finally {
      await node.stop();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
}

export function formatFloodReport(r: FloodReport): string {
  const lat = (l: Latency) => `p50 ${l.p50Ms.toFixed(1)} ms, p99 ${l.p99Ms.toFixed(1)} ms, max ${l.maxMs.toFixed(1)} ms (${l.samples} samples)`;
  return [
    `full-pool flood: ${r.fill} cheap transfers pending, then ${r.flood} better payers from ${r.wallets} wallets over ${r.connections} connections`,
    `admitted          ${r.admittedPerSecond} tx/s (answers: ${Object.entries(r.statusCodes).map(([c, n]) => `${c}×${n}`).join(' ')})`,
    `GET /status idle  ${lat(r.statusIdle)}`,
    `GET /status flood ${lat(r.statusDuringFlood)}`,
    '',
  ].join('\n');
}

/** A test-network data dir whose `count` wallets each hold a mature coinbase reward. */
async function fundedDataDir(dataDir: string, count: number): Promise<KeyPair[]> {
  const net = networks.test;
  let time = net.genesis.header.time;
  const chain = await Chain.open({ dataDir, network: net, now: () => time + 3600 });
  const keys = Array.from({ length: count }, generateKeyPair);
  const sink = generateKeyPair().publicKey;
  for (const recipient of [...keys.map((k) => k.publicKey), ...Array.from({ length: net.coinbaseMaturity }, () => sink)]) {
    time = chain.tip().header.time + net.targetSpacing;
    await mineTemplate(chain, recipient);
  }
  await chain.close();
  return keys;
}

/**
 * Request bodies: the cheap fill, then the rising flood. Wallets take turns (w0 s0, w1 s0, …), so a
 * wallet's next sequence is `wallets` requests behind its last and arrives after it.
 */
function transfers(keys: KeyPair[], fill: number, flood: number): { fill: string[]; rising: string[] } {
  const sink = '33'.repeat(32);
  const sequence = new Map<string, number>();
  const body = (k: KeyPair, fee: number) => {
    const s = sequence.get(k.publicKey) ?? 0;
    sequence.set(k.publicKey, s + 1);
    return JSON.stringify({ hex: Buffer.from(encodeTx(buildTransfer({ network: networks.test, privateKey: k.privateKey, sequence: s, fee, recipient: sink, amount: 1 }))).toString('hex') });
  };
  const fillKeys = keys.slice(0, Math.ceil(fill / PER_WALLET));
  const fillBodies = Array.from({ length: fill }, (_, i) => body(fillKeys[i % fillKeys.length]!, 200 + (i % 100)));
  const floodKeys = keys.slice(fillKeys.length);
  const rising = Array.from({ length: flood }, (_, i) => body(floodKeys[i % floodKeys.length]!, 100_000 + 100 * i));
  return { fill: fillBodies, rising };
}

/**
 * GET /status every 10 ms on its own connection while `during` runs. The sampler has a thread of
 * its own: on this process's event loop, autocannon's callbacks would delay the timer and the reply,
 * and the figure would be the load generator's lag, not the node's latency.
 */
async function timeStatus(url: string, during: () => Promise<void>): Promise<Latency> {
  const sampler = new Worker(STATUS_SAMPLER, { eval: true, workerData: { url: `${url}/status`, everyMs: 10 } });
  const samples = new Promise<number[]>((resolve, reject) => {
    sampler.once('message', resolve);
    sampler.once('error', reject);
  });
  try {
    await during();
  } finally {
    sampler.postMessage('stop');
  }
  const sorted = (await samples).sort((a, b) => a - b);
  await sampler.terminate();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))] ?? 0;
  return { samples: sorted.length, p50Ms: at(50), p99Ms: at(99), maxMs: sorted.at(-1) ?? 0 };
}

/** The sampler thread: plain JS (eval'd), so it runs the same from the build and under vitest. */
const STATUS_SAMPLER = `
const { parentPort, workerData } = require('node:worker_threads');
const samples = [];
let done = false;
parentPort.once('message', () => { done = true; });
(async () => {
  while (!done) {
    const t0 = performance.now();
    try { await (await fetch(workerData.url)).arrayBuffer(); } catch {}
    samples.push(performance.now() - t0);
    await new Promise((resolve) => setTimeout(resolve, workerData.everyMs));
  }
  parentPort.postMessage(samples);
})();
`;

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
