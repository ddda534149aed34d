import { mkdirSync } from 'node:fs';
import { Chain } from '../chain/chain.js';
import { createApp } from '../http/app.js';
import { startHttpServer, type RunningHttpServer } from '../http/server.js';
import { isLoopback } from '../http/middleware/control-auth.js';
import { defaultFlavor } from '../kernel/kernel.js';
import { createNodeMetrics } from '../metrics/registry.js';
import { MinerPool } from '../miner/pool.js';
import { NodeApiAdapter, statsSourceOf, type NodeParts } from './api-adapter.js';
import { resolveCoinbase } from './coinbase.js';
import type { NodeConfig } from './config.js';
import { recordNodeEvents } from './event-wiring.js';
import type { Logger } from './log.js';
import { MempoolJournal } from '../store/mempool-journal.js';
import { MiningLoop } from './mining-loop.js';
import { P2pNetwork } from '../net/network.js';
import { ChainTxAdmission } from '../net/tx-admission.js';
import { startStatusReporter, type StatusReporter } from './status-line.js';

/** A running node: its HTTP address, its parts (for tests and tools), and a clean stop. */
export interface RunningNode {
  url: string;
  chain: Chain;
  api: NodeApiAdapter;
  /** Null with --no-p2p. */
  network: P2pNetwork | null;
  /** Stop mining, stop serving, finish writing, close the store. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Start a node: the chain from the data dir (its log replayed and checked), the mempool journal,
 * the miner on the template for the coinbase key, the metrics registry and the HTTP API.
 */
export async function startNode(config: NodeConfig, log: Logger): Promise<RunningNode> {
  const startedAt = performance.now();
  mkdirSync(config.dataDir, { recursive: true });
  const chain = await Chain.open({ dataDir: config.dataDir, network: config.network });
  if (chain.recovery.truncatedBytes > 0) log.warn(`store: cut a torn tail of ${chain.recovery.truncatedBytes} bytes (an interrupted write)`);
  const tip = chain.tip();
  log.info(`chain: ${config.network} network, ${config.dataDir}, height ${tip.height}, tip ${tip.hash}`);

  const cleanups: (() => Promise<void> | void)[] = [() => chain.close()];
  const close = once(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });
  try {
    const { journal, restored, dropped } = await MempoolJournal.open(config.dataDir, chain);
    cleanups.push(() => journal.close());
    if (restored + dropped > 0) log.info(`mempool: ${restored} pending transaction(s) restored, ${dropped} mined or no longer valid`);

    const parts: NodeParts = { chain, miner: null, journal, startedAt };
    let reporter: StatusReporter | undefined; // started last, once the node serves
    const api = new NodeApiAdapter(parts);
    const metrics = (parts.metrics = createNodeMetrics(statsSourceOf(api), {
      network: () =>
        parts.network?.stats() ?? {
          peers: () => ({ inbound: 0, outbound: 0 }),
          bestHeaderHeight: () => chain.bestHeader().height,
          syncing: () => false,
          blocksRemaining: () => chain.bestHeader().height - chain.tip().height,
        },
    }));

    const pool = config.mine ? new MinerPool({ threads: config.threads }) : null;
    cleanups.push(recordNodeEvents(chain, pool, metrics, log));
    if (pool) {
      const coinbase = resolveCoinbase(config.dataDir, config.coinbase);
      log.info(describeCoinbase(coinbase));
      if (coinbase.warning) log.warn(`coinbase: ${coinbase.warning}`);
      const loop = new MiningLoop(chain, pool, log, {
        recipient: coinbase.publicKey,
        onBlockMined: (b) => {
          log.info(`mined block ${b.height} ${b.hash} (${b.txs} tx${b.outcome === 'new-tip' ? '' : `, ${b.outcome}`})`);
          reporter?.refresh();
        },
      });
      parts.miner = { pool, loop, kernel: defaultFlavor() };
      // Cleanups run in reverse: the pool closes while the loop still listens (a late solution is stored, a late error logged).
      cleanups.push(() => loop.stop(), () => pool.close());
      loop.start();
      await pool.start();
      log.info(`miner: ${config.threads} thread(s), ${defaultFlavor()} kernel`);
    } else {
      log.info('miner: off (--no-mine)');
    }
    if (config.p2p) {
      // Peers' transactions enter through the admission path (src/node/admission.ts will replace this stand-in).
      const admission = new ChainTxAdmission(chain, journal);
      const network = await P2pNetwork.start({
        dataDir: config.dataDir, chain, admission, host: config.host, port: config.p2pPort,
        peers: config.peers, maxPeers: config.maxPeers, mdns: config.mdns, log, metrics: metrics.network,
      });
      parts.network = network;
      parts.onTransactionAccepted = (_txid, raw) => network.publishTransaction(raw);
      cleanups.push(() => network.close());
    } else {
      parts.network = null;
      log.info('p2p: off (--no-p2p)');
    }
    chain.on('tip', () => void journal.compactIfStale(chain).catch((err: Error) => log.warn(`mempool: journal compaction failed: ${err.message}`)));

    const app = createApp({
      api,
      host: config.host,
      token: config.token,
      observeRequest: metrics.httpRequest,
      rateLimit: config.rateLimit === 0 ? false : { requestsPerSecond: config.rateLimit, burst: config.rateLimit * 2, exemptPaths: ['/health', '/metrics'] },
      onInternalError: (err) => log.error(`http: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
    });
    const server: RunningHttpServer = await startHttpServer(app, { host: config.host, port: config.port });
    cleanups.push(() => server.close());
    log.info(`http: listening on ${server.url}`);
    if (!isLoopback(config.host) && config.token === undefined) log.warn('http: not on loopback and no --token: the control routes stay shut');

    reporter = startStatusReporter(log, () => api.status());
    cleanups.push(() => reporter?.stop());
    return { url: server.url, chain, api, network: parts.network ?? null, close };
  } catch (err) {
    await close();
    throw err;
  }
}

function describeCoinbase(c: ReturnType<typeof resolveCoinbase>): string {
  if (c.origin === 'flag') return `coinbase: rewards to ${c.publicKey} (--coinbase)`;
  const what = c.origin === 'node-key-created' ? 'a new node key, generated now and kept in' : 'the node key in';
  return `coinbase: rewards to ${c.publicKey}, ${what} ${c.path}`;
}

function once(fn: () => Promise<void>): () => Promise<void> {
  let running: Promise<void> | undefined;
  return () => (running ??= fn());
}
