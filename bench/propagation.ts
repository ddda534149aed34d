import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { Chain } from '../src/chain/chain.js';
import { toHex } from '../src/chain/hash.js';
import { generateKeyPair, type KeyPair } from '../src/chain/keys.js';
import { networks } from '../src/chain/network.js';
import { buildTransfer } from '../src/chain/signing.js';
import { encodeTx } from '../src/chain/tx.js';
import { mineTemplate } from './bench-miner.js';
import { count, FlagError, type FlagValues } from './flags.js';
import { GossipPeer } from './gossip-peer.js';
import { pinThisProcess, splitCpus, unpinThisProcess } from './cpu-pinning.js';
import { startPeerProcess, until, type PeerProcess } from './peer-process.js';

/** The flags `carechain bench propagation` takes (COMMAND_HELP documents each). */
export const options = {
  samples: { type: 'string', default: '100' },
  'relay-rate': { type: 'string', default: '200' },
  'relay-window': { type: 'string', default: '5' },
  'relay-pairs': { type: 'string', default: '3' },
  'relay-peer': { type: 'string', default: 'both' },
  threads: { type: 'string', short: 't' },
  'no-pin': { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

export type RelayPeer = 'gossip' | 'node';
const RELAY_PEERS: Record<string, RelayPeer[]> = { gossip: ['gossip'], node: ['node'], both: ['gossip', 'node'] };

export interface PropagationBenchSettings {
  samples: number;
  rate: number;
  windowSeconds: number;
  pairs: number;
  /** Who feeds the miner: a light gossip peer in this process, a full node over POST /txs, or both in turn. */
  relayPeers: RelayPeer[];
  /** The relay miner's threads; left out: every core it runs on. */
  threads: number | undefined;
  /** Pin the relay miner and the rest (peer, load) to cores of their own (bench/cpu-pinning.ts). */
  pin: boolean;
  json: boolean;
}

/** The settings of a run, from the parsed flags; a value it cannot use throws a FlagError. */
export function settingsFrom(values: FlagValues<typeof options>): PropagationBenchSettings {
  return {
    samples: count(values.samples, '--samples'),
    rate: count(values['relay-rate'], '--relay-rate'),
    windowSeconds: count(values['relay-window'], '--relay-window'),
    pairs: count(values['relay-pairs'], '--relay-pairs'),
    relayPeers: relayPeersFrom(values['relay-peer']),
    threads: values.threads === undefined ? undefined : count(values.threads, '--threads'),
    pin: !values['no-pin'],
    json: values.json,
  };
}

function relayPeersFrom(value: string): RelayPeer[] {
  const peers = RELAY_PEERS[value];
  if (!peers) throw new FlagError(`--relay-peer must be gossip, node or both, got "${value}"`);
  return peers;
}

/**
 * `carechain bench propagation`, two measurements on `carechain start` processes over TCP loopback:
 * - propagation: three nodes in a line A – B – C, every one mining (one thread each); for each block
 *   mined at one end, the time until the far end has stored it (from the two nodes' log times: the
 *   miner's "mined block", the far end's "p2p: block"), p50 / p99 over --samples blocks (100);
 *   DESIGN's goal p50 ≤ 50 ms, p99 ≤ 200 ms;
 * - relay cost: a miner's hash rate in windows with and without --relay-rate signed transfers a second
 *   (200) coming in by gossip, side by side (--relay-pairs 3 pairs of --relay-window 5 s); goal ≤ 5 %
 *   lost. Two setups (--relay-peer gossip, node or both, the default), see relayBench:
 *   - gossip: the miner on every core (-t N to change it), fed by a light peer in this process;
 *   - node: the miner on cores of its own (unless --no-pin), fed by a full node that takes the
 *     transfers over POST /txs, with the load, on the last core.
 */
export async function run(settings: PropagationBenchSettings): Promise<void> {
  const { samples, rate, windowSeconds, pairs, threads, pin } = settings;
  const dir = mkdtempSync(join(tmpdir(), 'carechain-bench-net-'));
  try {
    const propagation = samples > 0 ? await propagationBench(dir, samples) : undefined;
    const relay = [];
    if (pairs > 0 && rate > 0) for (const feeder of settings.relayPeers) relay.push(await relayBench(join(dir, feeder), { feeder, rate, windowSeconds, pairs, threads, pin }));
    const result = { bench: 'propagation', node: process.version, propagation, relay };
    if (settings.json) return void process.stdout.write(JSON.stringify(result) + '\n');
    process.stdout.write(`node ${process.version}\n`);
    if (propagation) {
      process.stdout.write(`propagation over A – B – C, every node mining: ${propagation.samples} blocks end to end\n`);
      process.stdout.write(`  p50 ${propagation.p50Ms} ms, p99 ${propagation.p99Ms} ms, max ${propagation.maxMs} ms  (goal p50 ≤ 50, p99 ≤ 200)\n`);
    }
    for (const r of relay) {
      const how = r.feeder === 'gossip' ? `a light gossip peer in this process` : 'a full node taking them over POST /txs';
      const where = r.pinned ? `, the miner pinned to CPU ${r.pinned.miner}, the peer and the load to CPU ${r.pinned.others}` : ', nothing pinned';
      process.stdout.write(`relay cost (${r.feeder}): ${r.rate} tx/s from ${how}, to a miner on ${r.threads} thread(s)${where}\n`);
      process.stdout.write(`  idle ${(r.idleHashesPerSecond / 1e6).toFixed(2)} MH/s, relaying ${(r.loadedHashesPerSecond / 1e6).toFixed(2)} MH/s: ${r.lostPercent} % lost (goal ≤ 5 %); ${r.relayed} tx reached the miner\n`);
      if (r.posted) process.stdout.write(`  the peer's answers to POST /txs, by status: ${Object.entries(r.posted).map(([status, n]) => `${status}: ${n}`).join(', ')}\n`);
      if (r.feederCpuPercent !== null) process.stdout.write(`  the feeder (this process) took ${r.feederCpuPercent} % of the machine's CPU while it sent: part of the loss, and not the miner's\n`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

async function propagationBench(dir: string, samples: number) {
  const nodes: PeerProcess[] = [];
  try {
    const a = await startPeerProcess(['--data', join(dir, 'pa'), '-t', '1']);
    nodes.push(a);
    const b = await startPeerProcess(['--data', join(dir, 'pb'), '-t', '1', '--peer', a.p2pAddr]);
    nodes.push(b);
    const c = await startPeerProcess(['--data', join(dir, 'pc'), '-t', '1', '--peer', b.p2pAddr]);
    nodes.push(c);
    await until('the line connected', async () => ((await c.get<{ peers?: number }>('/status')).peers && (await b.get<{ peers?: number }>('/status')).peers === 2 ? true : undefined), 30_000);
    const since = Date.now();
    const latencies = await until(
      `${samples} blocks from end to end`,
      async () => {
        const found = [...endToEnd(a.log(), c.log(), since), ...endToEnd(c.log(), a.log(), since)];
        return found.length >= samples ? found.slice(0, samples) : undefined;
      },
      Math.max(60_000, samples * 10_000),
      500,
    );
    const sorted = [...latencies].sort((x, y) => x - y);
    const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)]!;
    return { samples: sorted.length, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: sorted.at(-1)! };
  } finally {
    await Promise.all(nodes.map((n) => n.stop()));
  }
}

/** Milliseconds from "mined block H HASH" in one log to "p2p: block H HASH" in the other, for blocks mined after `since`. */
function endToEnd(minerLog: string, farLog: string, since: number): number[] {
  const mined = new Map<string, number>();
  for (const m of minerLog.matchAll(/^(\S+) info mined block \d+ ([0-9a-f]{64})/gm)) {
    const t = Date.parse(m[1]!);
    if (t >= since) mined.set(m[2]!, t);
  }
  const out: number[] = [];
  for (const m of farLog.matchAll(/^(\S+) info p2p: block \d+ ([0-9a-f]{64}) from/gm)) {
    const t0 = mined.get(m[2]!);
    if (t0 !== undefined) out.push(Date.parse(m[1]!) - t0);
  }
  return out;
}

/**
 * The miner's loss to relaying, not to its neighbours. The peer that feeds it must run on this
 * machine too, so either:
 * - gossip: the miner mines on every core, as `carechain start` does, and the peer is a light one
 *   (bench/gossip-peer.ts) in this process that only publishes ready-made transactions; the little
 *   the peer costs is counted against the miner;
 * - node: the peer is a full node that takes the transactions over POST /txs (the load from this
 *   process) and relays them; it costs more than the miner's own work, so where the machine allows
 *   the miner runs on cores of its own and the peer and the load on the last one. The miner then
 *   mines on fewer cores than it has, which makes its main thread's share larger: on 2 cores this
 *   is the miner's worst case, one worker beside the thread that does the relaying.
 */
async function relayBench(dir: string, o: { feeder: RelayPeer; rate: number; windowSeconds: number; pairs: number; threads: number | undefined; pin: boolean }) {
  const pinned = o.feeder === 'node' && o.pin ? splitCpus() : null;
  const threads = o.threads ?? (pinned ? pinned.minerCores : availableParallelism());
  const total = o.rate * o.windowSeconds * o.pairs;
  const perSender = 60; // under the mempool's 64 per sender
  const senders = Array.from({ length: Math.ceil(total / perSender) }, generateKeyPair);
  const base = join(dir, 'miner');
  await fundedLog(base, senders);
  if (o.feeder === 'node') cpSync(base, join(dir, 'peer'), { recursive: true }); // before the miner makes its peer key
  const sink = generateKeyPair().publicKey;
  // Sequence by sequence across the senders, so one sender's next transfer is far behind its last
  // (concurrent POSTs may overtake each other, and a gap is refused as bad-sequence).
  const txs = Array.from({ length: perSender }, (_, sequence) => senders.map((s) => encodeTx(buildTransfer({ network: networks.test, privateKey: s.privateKey, sequence, fee: 1000, recipient: sink, amount: 1 })))).flat();
  const stops: (() => Promise<void>)[] = [];
  try {
    const miner = await startPeerProcess(['--data', base, '-t', String(threads)], { cpus: pinned?.miner });
    stops.push(() => miner.stop());
    let send: (batch: Uint8Array[]) => Promise<void>;
    const answers = new Map<number, number>(); // the full node's answers to POST /txs, by HTTP status (0: no answer)
    if (o.feeder === 'gossip') {
      const peer = await GossipPeer.start(networks.test);
      stops.push(() => peer.stop());
      await peer.connect(miner.p2pAddr);
      send = (batch) => peer.publishAtRate(batch, o.rate);
    } else {
      const peer = await startPeerProcess(['--data', join(dir, 'peer'), '--no-mine', '--peer', miner.p2pAddr], { cpus: pinned?.others });
      stops.push(() => peer.stop());
      if (pinned) {
        pinThisProcess(pinned.others);
        stops.push(async () => unpinThisProcess());
      }
      await until('the peer connected', async () => ((await peer.get<{ peers?: number }>('/status')).peers ? true : undefined), 30_000);
      send = (batch) => postAtRate(peer, batch.map(toHex), o.rate, answers);
    }
    await hashesOver(miner, 3); // warm up: the kernel leaves V8's baseline tier
    let idle = 0;
    let loaded = 0;
    let next = 0;
    let benchCpuMicros = 0; // this process's CPU in the loaded windows: with the gossip peer, the feeder's share
    for (let pair = 0; pair < o.pairs; pair++) {
      idle += await hashesOver(miner, o.windowSeconds);
      const cpu = process.cpuUsage();
      const load = send(txs.slice(next, (next += o.rate * o.windowSeconds)));
      loaded += await hashesOver(miner, o.windowSeconds);
      await load;
      const used = process.cpuUsage(cpu);
      benchCpuMicros += used.user + used.system;
    }
    // The last batch may still be on its way to the miner's disk.
    const accepted = () => metric(miner, 'carechain_gossip_transactions_total{status="accepted"}');
    const relayed = await until('the last transactions relayed', async () => ((await accepted()) >= total ? total : undefined), 5_000).catch(accepted);
    const seconds = o.pairs * o.windowSeconds;
    const idleRate = idle / seconds;
    const loadedRate = loaded / seconds;
    const feederCpuPercent = o.feeder === 'gossip' ? Number(((benchCpuMicros / 1e6 / seconds / availableParallelism()) * 100).toFixed(2)) : null;
    const posted = o.feeder === 'node' ? Object.fromEntries([...answers].sort(([a], [b]) => a - b)) : null;
    return { feeder: o.feeder, rate: o.rate, threads, feederCpuPercent, posted, pinned: pinned ? { miner: pinned.miner, others: pinned.others } : null, idleHashesPerSecond: Math.round(idleRate), loadedHashesPerSecond: Math.round(loadedRate), lostPercent: Number((((idleRate - loadedRate) / idleRate) * 100).toFixed(2)), relayed };
  } finally {
    for (const stop of stops.reverse()) await stop();
  }
}

async function hashesOver(node: PeerProcess, seconds: number): Promise<number> {
  const before = (await node.get<{ hashesTotal: number }>('/mining')).hashesTotal;
  await new Promise((r) => setTimeout(r, seconds * 1000));
  return (await node.get<{ hashesTotal: number }>('/mining')).hashesTotal - before;
}

/** POST each transaction to the node, paced at `rate` per second; what it answered, by status. */
async function postAtRate(node: PeerProcess, txs: string[], rate: number, answers: Map<number, number>): Promise<void> {
  const start = performance.now();
  const pending: Promise<unknown>[] = [];
  for (let i = 0; i < txs.length; i++) {
    const due = start + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    const post = fetch(`${node.url}/txs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hex: txs[i] }) });
    pending.push(post.then(async (r) => (await r.arrayBuffer(), r.status), () => 0).then((status) => answers.set(status, (answers.get(status) ?? 0) + 1)));
  }
  await Promise.all(pending);
}

async function metric(node: PeerProcess, series: string): Promise<number> {
  const text = await (await fetch(`${node.url}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.split(' ').pop()) : 0;
}

/** A short log whose first blocks pay each sender a coinbase, matured. */
async function fundedLog(dataDir: string, senders: KeyPair[]): Promise<void> {
  const network = networks.test;
  const chain = await Chain.open({ dataDir, network, now: () => network.genesis.header.time + 100_000 });
  const sink = generateKeyPair().publicKey;
  for (const key of [...senders.map((s) => s.publicKey), ...Array.from({ length: network.coinbaseMaturity + 1 }, () => sink)]) {
    await mineTemplate(chain, key);
  }
  await chain.close();
}

