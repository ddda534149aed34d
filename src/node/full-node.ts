import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { Chain } from '../chain/chain.js';
import { encodeTx } from '../chain/tx.js';
import { createApp } from '../http/app.js';
import { startHttpServer, type RunningHttpServer } from '../http/server.js';
import { isLoopback } from '../http/middleware/control-auth.js';
import { defaultFlavor } from '../kernel/kernel.js';
import { createNodeMetrics } from '../metrics/registry.js';
import { MinerPool } from '../miner/pool.js';
import { NodeApiAdapter, statsSourceOf, type NodeParts } from './api-adapter.js';
import { NODE_KEY_FILE, resolveCoinbase } from './coinbase.js';
import type { NodeConfig } from './config.js';
import { recordAdmissionEvents, recordNodeEvents } from './event-wiring.js';
import type { Logger } from './log.js';
import { MEMPOOL_JOURNAL_FILE } from '../store/mempool-journal.js';
import { TxAdmission, type ReplayReport } from './admission.js';
import { BLOCK_LOG_FILE } from '../store/block-log.js';
import { emptyLogWarning, recoveryMessages } from '../store/recovery-report.js';
import { StratumServer, type StratumServerDeps } from '../stratum/server.js';
import { JobPublisher } from './job-publisher.js';
import { MiningLoop } from './mining-loop.js';
import { P2pNetwork } from '../net/network.js';
import { startStatusReporter, type StatusReporter } from './status-line.js';

/** A running node: its HTTP address, its parts (for tests and tools), and a clean stop. */
export interface RunningNode {
  url: string;
  /** stratum+tcp://host:port, or null with --no-stratum. */
  stratumUrl: string | null;
  chain: Chain;
  api: NodeApiAdapter;
  /** Null with --no-p2p. */
  network: P2pNetwork | null;
  /** Stop mining, stop serving, finish writing, close the store. Safe to call twice. */
  close(): Promise<void>;
}

/**
 * Start a node: the chain from the data dir (its log replayed and checked), the mempool journal,
 * the job publisher, the local miner and the Stratum server on its jobs, the metrics registry and
 * the HTTP API.
 */
export async function startNode(config: NodeConfig, log: Logger): Promise<RunningNode> {
  const startedAt = performance.now();
  mkdirSync(config.dataDir, { recursive: true });
  const chain = await Chain.open({ dataDir: config.dataDir, network: config.network });
  const tip = chain.tip();
  // Said before the mempool journal is replayed, so the operator reads it before anything else changes.
  const logPath = join(config.dataDir, BLOCK_LOG_FILE);
  for (const m of recoveryMessages(chain.recovery, logPath)) log[m.level](`store: ${m.text}`);
  const emptied = emptyLogWarning({ height: tip.height, logPath, nodeKeyPath: join(config.dataDir, NODE_KEY_FILE), journalPath: join(config.dataDir, MEMPOOL_JOURNAL_FILE) });
  if (emptied) log.warn(`store: ${emptied}`);
  log.info(`chain: ${config.network} network, ${config.dataDir}, height ${tip.height}, tip ${tip.hash}`);

  const cleanups: (() => Promise<void> | void)[] = [() => chain.close()];
  const close = once(async () => {
    for (const fn of cleanups.reverse()) await fn();
  });
  try {
    const { admission, report } = await TxAdmission.open(chain, config.dataDir);
    cleanups.push(() => admission.close());
    for (const line of describeReplay(report)) log[line.level](`mempool: ${line.text}`);
    watchAdmission(admission, log);
    void admission.maintain();

    const parts: NodeParts = { chain, miner: null, stratum: null, admission, startedAt };
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
    cleanups.push(recordNodeEvents(chain, pool, metrics, log), recordAdmissionEvents(admission, metrics));
    // One publisher decides when there is a new job, for the local pool and Stratum sessions alike.
    let publisher: JobPublisher | null = null;
    if (config.mine || config.stratum) {
      const coinbase = resolveCoinbase(config.dataDir, config.coinbase);
      log.info(describeCoinbase(coinbase));
      if (coinbase.warning) log.warn(`coinbase: ${coinbase.warning}`);
      // Without the local pool, only Stratum sessions are on the jobs: none connected, no template work.
      const wanted = config.mine ? undefined : () => (parts.stratum?.sessionCount ?? 0) > 0;
      publisher = new JobPublisher(chain, log, { recipient: coinbase.publicKey, wanted });
      const jobs = publisher;
      cleanups.push(() => jobs.stop());
    }
    if (pool && publisher) {
      const loop = new MiningLoop(chain, publisher, pool, log, {
        onBlockMined: (b) => {
          log.info(`mined block ${b.height} ${b.hash} (${b.txs} tx${b.outcome === 'new-tip' ? '' : `, ${b.outcome}`})`);
          reporter?.refresh();
        },
      });
      parts.miner = { pool, loop, kernel: defaultFlavor() };
      // Cleanups run in reverse: the pool closes while the loop still listens (a late solution is stored, a late error logged).
      cleanups.push(() => loop.stop(), () => pool.close());
      loop.start(); // before the publisher starts: the local workers get each job first
      publisher.start();
      await pool.start();
      log.info(`miner: ${config.threads} thread(s), ${defaultFlavor()} kernel`);
    } else {
      publisher?.start();
      log.info('miner: off (--no-mine)');
    }
    if (config.stratum && publisher) {
      const stratum = await startStratum(config, { chain, publisher, defaultRecipient: publisher.recipient, recorder: metrics.stratum, log });
      parts.stratum = stratum;
      cleanups.push(() => stratum.close());
      log.info(`stratum: listening on ${stratum.url}`);
    } else {
      log.info('stratum: off (--no-stratum)');
    }
    if (config.p2p) {
      // Peers' transactions come in through the same door as the API's (the admission path).
      const network = await P2pNetwork.start({
        dataDir: config.dataDir, chain, admission, host: config.host, port: config.p2pPort,
        peers: config.peers, maxPeers: config.maxPeers, mdns: config.mdns, log, metrics: metrics.network,
      });
      parts.network = network;
      // A client's transaction is announced once it is on disk and in the mempool; a peer's is relayed by gossip itself.
      const announce = (e: { txid: string; origin: string }) => {
        if (e.origin !== 'api') return;
        const entry = chain.mempool.get(e.txid);
        if (entry) network.publishTransaction(encodeTx(entry.tx));
      };
      chain.on('tx-accepted', announce);
      cleanups.push(() => {
        chain.off('tx-accepted', announce);
        return network.close();
      });
    } else {
      parts.network = null;
      log.info('p2p: off (--no-p2p)');
    }

    const app = createApp({
      api,
      host: config.host,
      token: config.token,
      observeRequest: metrics.httpRequest,
      rateLimit: config.rateLimit === 0 ? false : { requestsPerSecond: config.rateLimit, burst: config.rateLimit * 2, exemptPaths: ['/health', '/metrics'] },
      onInternalError: (err) => log.error(`http: ${err instanceof Error ? (err.stack ?? err.message) : String(err)}`),
    });
    const server: RunningHttpServer = await startHttpServer(app, {
      host: config.host,
      port: config.port,
      maxConnections: config.maxConnections,
      maxConnectionsPerClient: config.maxConnectionsPerClient,
      headersTimeoutMs: Math.round(config.headersTimeout * 1000),
      requestTimeoutMs: Math.round(config.requestTimeout * 1000),
      onNotice: (message) => log.warn(message),
    });
    cleanups.push(() => server.close());
    log.info(`http: listening on ${server.url}`);
    if (!isLoopback(config.host) && config.token === undefined) log.warn('http: not on loopback and no --token: the control routes stay shut');

    reporter = startStatusReporter(log, () => api.status());
    cleanups.push(() => reporter?.stop());
    return { url: server.url, stratumUrl: parts.stratum?.url ?? null, chain, api, network: parts.network ?? null, close };
  } catch (err) {
    await close();
    throw err;
  }
}

/** The journal replay, for the start-up log: what came back, what waits, what was kept aside. */
function describeReplay(r: ReplayReport): { level: 'info' | 'warn'; text: string }[] {
  const lines: { level: 'info' | 'warn'; text: string }[] = [];
  const byReason = (counts: Record<string, number>) => Object.entries(counts).map(([reason, n]) => `${reason} ${n}`).join(', ');
  const heldCount = Object.values(r.held).reduce((a, b) => a + b, 0);
  const rejectedCount = Object.values(r.rejected).reduce((a, b) => a + b, 0);
  if (r.restored + r.mined + heldCount + rejectedCount + r.damaged > 0) {
    lines.push({ level: 'info', text: `journal replayed: ${r.restored} pending transaction(s) restored, ${r.mined} already mined${r.gone ? `, ${r.gone} evicted or dropped remembered` : ''}` });
  }
  if (heldCount > 0) lines.push({ level: 'warn', text: `${heldCount} acknowledged transaction(s) held until they apply again (${byReason(r.held)}); they stay in the journal` });
  if (rejectedCount > 0) lines.push({ level: 'warn', text: `${rejectedCount} acknowledged transaction(s) can never apply (${byReason(r.rejected)}): kept in mempool.journal.rejected` });
  if (r.damaged > 0) lines.push({ level: 'warn', text: `${r.damaged} damaged journal record(s) kept in mempool.journal.damaged` });
  if (r.legacy > 0) lines.push({ level: 'info', text: `${r.legacy} record(s) in the journal format of an earlier version, rewritten at the next compaction` });
  return lines;
}

/** What a person must hear about the admission path: the disk failing and coming back. */
function watchAdmission(admission: TxAdmission, log: Logger): void {
  let failing = false;
  admission.on('storage-failed', (e) => {
    if (!failing) log.error(`mempool: cannot write the journal (${e.code}): submissions answer 503 storage-unavailable until it works again: ${e.message}`);
    failing = true;
  });
  admission.on('storage-recovered', () => {
    failing = false;
    log.info('mempool: the journal is writable again; admitting transactions');
  });
  admission.on('notice', (text) => log.warn(text));
  admission.on('compacted', (c) => log.info(`mempool: journal compacted, ${c.before} records to ${c.after}`));
}

/** The Stratum server on the API's host; a port in use is one clear line, with the ways out. */
async function startStratum(config: NodeConfig, deps: StratumServerDeps): Promise<StratumServer> {
  try {
    return await StratumServer.start(deps, {
      host: config.host,
      port: config.stratumPort,
      maxSessions: config.stratumMaxSessions,
      maxSessionsPerAddress: config.stratumMaxPerAddress,
      minDifficulty: config.stratumMinDifficulty,
    });
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'EADDRINUSE') throw new Error(`stratum: port ${config.stratumPort} on ${config.host} is in use (--stratum-port P, 0 for any free one, or --no-stratum)`);
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
