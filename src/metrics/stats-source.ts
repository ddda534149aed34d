/**
 * What the metrics registry reads at scrape time. The node implements this over the miner's
 * shared-memory counters, the chain tip and the mempool; the registry never holds state of its own
 * beyond what Prometheus semantics need (see hash-totals.ts).
 */
export interface NodeStatsSource {
  /** Hashes counted so far by each worker slot, straight from the shared-memory counters. */
  workerHashes(): readonly WorkerHashCount[];
  /** The miner's own rate windows in hashes per second; null until a window has filled. */
  hashRates(): HashRateWindows;
  /** Height of the best chain's tip (genesis = 0). */
  chainHeight(): number;
  /** Difficulty of the tip's target, relative to the network's easiest target. */
  difficulty(): number;
  mempool(): MempoolSize;
  /** Worker threads currently mining (0 when paused). */
  miningWorkers(): number;
  /** Stratum connections open (absent or 0 without a Stratum server). */
  stratumSessions?(): number;
}

/** The miner's part of the stats: all `carechain mine` has. */
export type MinerStatsSource = Pick<NodeStatsSource, 'workerHashes' | 'hashRates' | 'miningWorkers'>;

export interface WorkerHashCount {
  /** The worker slot, 0..threads-1: a replacement worker takes over its predecessor's slot. */
  worker: number;
  /** Hashes counted by the worker currently in this slot (a fresh worker starts again at 0). */
  hashes: number | bigint;
  /**
   * Changes whenever the slot's worker is replaced, so a restarted counter is never mistaken for
   * a smaller delta. Optional: without it a counter that goes down is taken as a restart.
   */
  incarnation?: number;
}

export interface HashRateWindows {
  '10s': number | null;
  '60s': number | null;
  '15m': number | null;
}

export interface MempoolSize {
  transactions: number;
  bytes: number;
  /** Fee per byte a new transaction must pay now. */
  minFeeRate: number;
  /** Acknowledged transactions held outside the pool until they apply again. */
  held: number;
}

export const HASH_RATE_WINDOWS = ['10s', '60s', '15m'] as const satisfies readonly (keyof HashRateWindows)[];
