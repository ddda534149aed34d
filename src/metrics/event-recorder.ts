import { Counter, Gauge, Histogram, type Registry } from 'prom-client';
import { BoundedLabelValues } from './label-values.js';

import { BLOCK_SOURCES, type BlockSource } from '../chain/chain-types.js';

/** Things that happen (blocks, rejections, reorgs, job switches, HTTP requests), recorded as they do. */
export interface EventRecorder {
  blockMined(): void;
  blockAccepted(source: BlockSource): void;
  /** `reason` is a short slug such as `bad-pow`; anything else is recorded as `other`. */
  blockRejected(reason: string): void;
  transactionRejected(reason: string): void;
  /** An acknowledged transaction left the full mempool for better payers (GET /txs answers 410). */
  transactionEvicted(): void;
  /** A write to the node's storage failed (`store`: journal, blocks); nothing was acknowledged. */
  storageWriteFailed(store: 'journal' | 'blocks'): void;
  /** A switch to another branch that disconnected `depth` blocks of the old best chain. */
  reorg(depth: number): void;
  /** The node took on a new best tip (or, at start, the tip it loaded): stamps the time it did. */
  tipChanged(): void;
  /** Time from a new tip to every worker scanning the new job. */
  jobSwitched(seconds: number): void;
  /** Time between this block's and its parent's acceptance on the best chain. */
  blockInterval(seconds: number): void;
  /** `route` is the route pattern (`/blocks/:hashOrHeight`), never the raw path. */
  httpRequest(method: string, route: string, status: number, seconds: number): void;
}

export function registerEventMetrics(registry: Registry): EventRecorder {
  const registers = [registry];
  const mined = new Counter({ name: 'carechain_blocks_mined_total', help: 'Blocks found by this node\'s miner.', registers });
  const accepted = new Counter({
    name: 'carechain_blocks_accepted_total',
    help: 'Blocks appended to the best chain, by where they came from.',
    labelNames: ['source'],
    registers,
  });
  const rejected = new Counter({
    name: 'carechain_blocks_rejected_total',
    help: 'Blocks that failed validation, by reason.',
    labelNames: ['reason'],
    registers,
  });
  const txRejected = new Counter({
    name: 'carechain_transactions_rejected_total',
    help: 'Transactions refused by the mempool, by reason.',
    labelNames: ['reason'],
    registers,
  });
  const reorgs = new Counter({ name: 'carechain_reorgs_total', help: 'Best-chain switches to another branch.', registers });
  // Bucket 6 is the alert's line: six confirmations are what users take as final.
  const reorgDepth = new Histogram({
    name: 'carechain_reorg_depth_blocks',
    help: 'Blocks of the old best chain disconnected by each reorg.',
    buckets: [1, 2, 3, 6, 10, 20, 50, 100],
    registers,
  });
  // Set when it happens, not read at scrape time: the chain keeps no acceptance time, and a
  // header's own time is whatever its miner wrote.
  const tipChangedAt = new Gauge({
    name: 'carechain_tip_changed_timestamp_seconds',
    help: 'Unix time at which this node took on its current best tip (or loaded it at start).',
    registers,
  });
  const blockInterval = new Histogram({
    name: 'carechain_block_interval_seconds',
    help: 'Seconds between consecutive blocks on the best chain.',
    buckets: [1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 1200, 3600],
    registers,
  });
  const jobSwitch = new Histogram({
    name: 'carechain_job_switch_seconds',
    help: 'Seconds from a new tip until every worker mines the new job.',
    buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.02, 0.05, 0.1, 0.25, 0.5, 1],
    registers,
  });
  const httpDuration = new Histogram({
    name: 'http_request_duration_seconds',
    help: 'HTTP request handling time by method, route pattern and status.',
    labelNames: ['method', 'route', 'status'],
    buckets: [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });

  const evicted = new Counter({ name: 'carechain_mempool_evicted_total', help: 'Acknowledged transactions evicted from the full mempool for better payers.', registers });
  const storageFailures = new Counter({
    name: 'carechain_storage_write_failures_total',
    help: 'Writes to the node\'s storage that failed (disk full, read-only, I/O error), by store; nothing was acknowledged.',
    labelNames: ['store'],
    registers,
  });
  for (const store of ['journal', 'blocks']) storageFailures.inc({ store }, 0);
  evicted.inc(0);

  // Series that exist from the start let rate() and increase() see the first event.
  for (const source of BLOCK_SOURCES) accepted.inc({ source }, 0);
  const blockReasons = new BoundedLabelValues(64); // the chain has ~40 reject codes
  const txReasons = new BoundedLabelValues(64);
  // Route patterns are paths such as /blocks/:hashOrHeight, not slugs.
  const routes = new BoundedLabelValues(64, 'unmatched', /^\/[A-Za-z0-9_:./-]{0,80}$/);

  return {
    blockMined: () => mined.inc(),
    blockAccepted: (source) => accepted.inc({ source: BLOCK_SOURCES.includes(source) ? source : 'other' }),
    blockRejected: (reason) => rejected.inc({ reason: blockReasons.accept(reason) }),
    transactionRejected: (reason) => txRejected.inc({ reason: txReasons.accept(reason) }),
    transactionEvicted: () => evicted.inc(),
    storageWriteFailed: (store) => storageFailures.inc({ store }),
    reorg: (depth) => {
      reorgs.inc();
      if (depth > 0 && Number.isFinite(depth)) reorgDepth.observe(depth);
    },
    tipChanged: () => tipChangedAt.setToCurrentTime(),
    jobSwitched: (seconds) => observeSeconds(jobSwitch, seconds),
    blockInterval: (seconds) => observeSeconds(blockInterval, seconds),
    httpRequest: (method, route, status, seconds) => {
      if (!(seconds >= 0)) return;
      const labels = { method: HTTP_METHODS.has(method) ? method : 'OTHER', route: routes.accept(route), status: String(status) };
      httpDuration.observe(labels, seconds);
    },
  };
}

const HTTP_METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

function observeSeconds(histogram: Histogram, seconds: number): void {
  // A clock step backwards must not poison the histogram with a negative sum.
  if (seconds >= 0 && Number.isFinite(seconds)) histogram.observe(seconds);
}
