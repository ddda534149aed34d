import { collectDefaultMetrics, Counter, Registry } from 'prom-client';
import { registerMinerScrapeMetrics, scalarGauge } from './scrape-time-metrics.js';
import type { MinerStatsSource } from './stats-source.js';

/** What `carechain mine` knows about its pool, read at scrape time. Counts only ever grow. */
export interface PoolStatsSource {
  connected: boolean;
  difficulty: number | null;
  accepted: number;
  rejected: number;
  acceptedDifficulty: number;
  reconnects: number;
  /** Shares whose hash also met the block target of their job. */
  blocksFound: number;
}

export interface MinerClientMetrics {
  readonly contentType: string;
  metricsText(): Promise<string>;
}

/**
 * `carechain mine`'s /metrics: the node's mining metrics (hashes per worker, rate windows, workers
 * mining) from the same MinerPool, plus its shares and its pool connection, so a farm of miners
 * graphs beside the node in the same Grafana. Labels carry no pool address or worker name.
 */
export function createMinerClientMetrics(miner: MinerStatsSource, pool: () => PoolStatsSource): MinerClientMetrics {
  const registry = new Registry();
  collectDefaultMetrics({ register: registry });
  registerMinerScrapeMetrics(registry, miner);
  const seen = new Map<string, number>();
  /** Bring a counter up to a running total kept elsewhere. */
  const catchUp = (counter: Counter<string>, key: string, total: number, labels?: Record<string, string>) => {
    const delta = total - (seen.get(key) ?? 0);
    if (delta > 0) {
      if (labels) counter.inc(labels, delta);
      else counter.inc(delta);
      seen.set(key, total);
    }
  };
  const shares: Counter<string> = new Counter({
    name: 'carechain_miner_shares_total',
    help: 'Shares sent to the pool, by its answer.',
    labelNames: ['result'],
    registers: [registry],
    collect() {
      const p = pool();
      catchUp(shares, 'accepted', p.accepted, { result: 'accepted' });
      catchUp(shares, 'rejected', p.rejected, { result: 'rejected' });
    },
  });
  for (const result of ['accepted', 'rejected']) shares.inc({ result }, 0);
  const total = (name: string, help: string, read: (p: PoolStatsSource) => number) => {
    const counter: Counter<string> = new Counter({ name, help, registers: [registry], collect: () => catchUp(counter, name, read(pool())) });
  };
  total('carechain_miner_accepted_difficulty_total', 'Sum of the difficulty of accepted shares: × 2^32 per second is the hash rate the pool credits.', (p) => p.acceptedDifficulty);
  total('carechain_miner_pool_reconnects_total', 'Times the connection to the pool was lost.', (p) => p.reconnects);
  total('carechain_miner_blocks_found_total', 'Shares that also met the block target of their job.', (p) => p.blocksFound);
  scalarGauge(registry, 'carechain_miner_pool_connected', 'Whether the miner is connected to a pool (1) or not (0).', () => (pool().connected ? 1 : 0));
  scalarGauge(registry, 'carechain_miner_pool_difficulty', 'Share difficulty the pool set.', () => pool().difficulty ?? NaN);
  return { contentType: registry.contentType, metricsText: () => registry.metrics() };
}
