import { Counter, Gauge, type Registry } from 'prom-client';
import { MonotonicHashTotals } from './hash-totals.js';
import { HASH_RATE_WINDOWS, type MinerStatsSource, type NodeStatsSource } from './stats-source.js';

/**
 * The metrics whose values live elsewhere (miner shared memory, chain tip, mempool) and are read
 * in collect() when Prometheus scrapes, so nothing has to push updates on the hot paths.
 */
export function registerScrapeTimeMetrics(registry: Registry, source: NodeStatsSource): void {
  registerMinerScrapeMetrics(registry, source);
  scalarGauge(registry, 'carechain_chain_height', 'Height of the best chain tip.', () => source.chainHeight());
  scalarGauge(registry, 'carechain_difficulty', 'Difficulty of the current tip target.', () => source.difficulty());
  scalarGauge(registry, 'carechain_mempool_transactions', 'Transactions waiting in the mempool.', () => source.mempool().transactions);
  scalarGauge(registry, 'carechain_mempool_bytes', 'Serialized size of the mempool in bytes.', () => source.mempool().bytes);
  scalarGauge(registry, 'carechain_mempool_min_fee_rate', 'Fee per byte a new transaction must pay now (rises when the pool is full, decays back).', () => source.mempool().minFeeRate);
  scalarGauge(registry, 'carechain_mempool_held_transactions', 'Acknowledged transactions held outside the mempool until they apply again.', () => source.mempool().held);
}

/** The miner's own numbers, read from its shared-memory counters: the node's and `carechain mine`'s alike. */
export function registerMinerScrapeMetrics(registry: Registry, source: MinerStatsSource): void {
  const hashTotals = new MonotonicHashTotals();
  const hashes: Counter<'worker'> = new Counter({
    name: 'carechain_hashes_total',
    help: 'Hashes computed by each mining worker slot; monotonic across worker replacement.',
    labelNames: ['worker'],
    registers: [registry],
    collect() {
      readSafely(() => {
        for (const [worker, growth] of hashTotals.update(source.workerHashes())) {
          hashes.inc({ worker: String(worker) }, growth);
        }
      });
    },
  });

  const hashRate: Gauge<'window'> = new Gauge({
    name: 'carechain_hashrate_hashes_per_second',
    help: "The miner's own hash rate over 10 s, 60 s and 15 min windows (absent until a window is full).",
    labelNames: ['window'],
    registers: [registry],
    collect() {
      hashRate.reset();
      readSafely(() => {
        const rates = source.hashRates();
        for (const window of HASH_RATE_WINDOWS) {
          const rate = rates[window];
          if (rate !== null && Number.isFinite(rate)) hashRate.set({ window }, rate);
        }
      });
    },
  });

  scalarGauge(registry, 'carechain_mining_workers', 'Worker threads currently mining.', () => source.miningWorkers());
}

/**
 * A label-less gauge. prom-client cannot leave such a gauge out of a scrape (reset() puts 0
 * back), and a false 0 height is worse than a stale one: on a failing read it keeps its last value.
 */
export function scalarGauge(registry: Registry, name: string, help: string, read: () => number): void {
  const gauge: Gauge = new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      readSafely(() => {
        const value = read();
        if (Number.isFinite(value)) gauge.set(value);
      });
    },
  });
}

/** One failing source must not fail the whole scrape: the other metrics are still worth having. */
function readSafely(read: () => void): void {
  try {
    read();
  } catch {
    // The metric stays absent from this scrape; Prometheus shows the gap.
  }
}
