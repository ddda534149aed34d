import type { NodeStatus } from '../http/response-schemas.js';
import type { Logger } from './log.js';

/**
 * The node's one-line summary, as cpuminer and xmrig print theirs: height, tip, difficulty, hash
 * rate over 10 s / 60 s / 15 min (n/a until a window is full), last block age, mempool, and with
 * the network on, peers and, while syncing, progress (height of the best known header, blocks/s, ETA).
 */
export function formatStatus(s: NodeStatus): string {
  const rates = [s.hashrate['10s'], s.hashrate['60s'], s.hashrate['15m']].map(formatRate).join(' ');
  const mining = s.mining.threads === 0 ? 'not mining' : s.mining.paused ? 'paused' : `${rates} MH/s`;
  return [
    `height ${s.height}`,
    `tip ${s.tip.slice(0, 16)}…`,
    `diff ${formatNumber(s.difficulty)}`,
    mining,
    `last block ${s.lastBlockAgeSeconds === null ? 'n/a' : formatAge(s.lastBlockAgeSeconds)}`,
    `mempool ${s.mempool.transactions} tx ${formatBytes(s.mempool.bytes)}`,
    ...(s.peers === undefined ? [] : [`peers ${s.peers}`]),
    ...(s.sync?.state === 'syncing' ? [formatSync(s.sync)] : []),
  ].join(' | ');
}

function formatSync(sync: NonNullable<NodeStatus['sync']>): string {
  const rate = sync.blocksPerSecond === null ? '' : ` ${sync.blocksPerSecond.toFixed(1)} blk/s`;
  const eta = sync.etaSeconds === null ? '' : ` ETA ${formatDuration(sync.etaSeconds)}`;
  return `syncing to ${sync.bestHeaderHeight} (${sync.blocksRemaining} left${rate}${eta})`;
}

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.floor(seconds)}s`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m`;
}

export interface StatusReporter {
  /** Redraw now (e.g. after a block, so the line never shows a stale height on a terminal). */
  refresh(): void;
  stop(): void;
}

/** Redraw the status line on a terminal every second; elsewhere log it now and then. */
export function startStatusReporter(log: Logger, read: () => NodeStatus, options: { intervalMs?: number } = {}): StatusReporter {
  const intervalMs = options.intervalMs ?? (log.live ? 1000 : 30_000);
  const tick = () => {
    try {
      log.status(formatStatus(read()));
    } catch (err) {
      log.warn(`status: ${(err as Error).message}`);
    }
  };
  tick();
  const timer = setInterval(tick, intervalMs);
  timer.unref();
  return {
    refresh: () => {
      if (log.live) tick();
    },
    stop: () => clearInterval(timer),
  };
}

function formatRate(rate: number | null): string {
  return rate === null ? 'n/a' : (rate / 1e6).toFixed(2);
}

function formatNumber(x: number): string {
  if (x >= 1e6) return x.toExponential(3);
  return x >= 100 ? x.toFixed(0) : x.toPrecision(4);
}

export function formatAge(seconds: number): string {
  if (seconds < 60) return `${Math.floor(seconds)}s ago`;
  if (seconds < 3600) return `${Math.floor(seconds / 60)}m${String(Math.floor(seconds % 60)).padStart(2, '0')}s ago`;
  if (seconds < 86_400 * 2) return `${Math.floor(seconds / 3600)}h${String(Math.floor((seconds % 3600) / 60)).padStart(2, '0')}m ago`;
  return `${Math.floor(seconds / 86_400)}d ago`;
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(1)} KiB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MiB`;
}
