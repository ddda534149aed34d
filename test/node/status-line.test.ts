import { describe, expect, it } from 'vitest';
import type { NodeStatus } from '../../src/http/response-schemas.js';
import { createLogger } from '../../src/node/log.js';
import { formatAge, formatStatus, startStatusReporter } from '../../src/node/status-line.js';

const status: NodeStatus = {
  network: 'dev',
  height: 1234,
  tip: '0000000abcdef0123456789abcdef0123456789abcdef0123456789abcdef012',
  tipTime: 1_767_225_600,
  lastBlockAgeSeconds: 75,
  difficulty: 2.5,
  bits: '1e0fffff',
  hashrate: { '10s': 15_250_000, '60s': 15_100_000, '15m': null },
  mining: { paused: false, threads: 2 },
  mempool: { transactions: 3, bytes: 2048, minFeeRate: 0, held: 0 },
  storage: { journal: 'ok' },
  uptimeSeconds: 90,
};

describe('status line', () => {
  it('shows height, tip, difficulty, the three rate windows, last block age and mempool', () => {
    expect(formatStatus(status)).toBe('height 1234 | tip 0000000abcdef012… | diff 2.500 | 15.25 15.10 n/a MH/s | last block 1m15s ago | mempool 3 tx 2.0 KiB');
    expect(formatStatus({ ...status, mining: { paused: true, threads: 2 } })).toContain('| paused |');
    expect(formatStatus({ ...status, mining: { paused: true, threads: 0 }, lastBlockAgeSeconds: null })).toMatch(/not mining \| last block n\/a/);
    expect([0, 59.9, 3600, 86_400 * 3].map(formatAge)).toEqual(['0s ago', '59s ago', '1h00m ago', '3d ago']);
  });

  it('shows peers with the network on, and sync progress (target, blocks left, rate, ETA) while syncing', () => {
    const sync = { state: 'syncing' as const, bestHeaderHeight: 10_000, blocksRemaining: 8766, blocksPerSecond: 120.5, etaSeconds: 73 };
    expect(formatStatus({ ...status, peers: 3, sync })).toMatch(/\| mempool 3 tx 2\.0 KiB \| peers 3 \| syncing to 10000 \(8766 left 120\.5 blk\/s ETA 1m13s\)$/);
    expect(formatStatus({ ...status, peers: 0, sync: { ...sync, blocksPerSecond: null, etaSeconds: null } })).toMatch(/peers 0 \| syncing to 10000 \(8766 left\)$/);
    expect(formatStatus({ ...status, peers: 2, sync: { ...sync, state: 'synced', blocksRemaining: 0 } })).toMatch(/\| peers 2$/);
  });

  it('redraws in place on a terminal, with log lines printed above it', () => {
    let out = '';
    const log = createLogger({ write: (t: string) => (out += t), isTTY: true, columns: 40 });
    log.status('height 1');
    log.info('mined block 2');
    log.status('height 2 | a status line far too long for a forty-column terminal');
    expect(out).toBe('height 1' + '\r\x1b[Kmined block 2\nheight 1' + '\r\x1b[Kheight 2 | a status line far too long …');
  });

  it('redraws at once when asked (after a block) on a terminal, and only on the interval elsewhere', () => {
    for (const live of [true, false]) {
      let reads = 0;
      const log = createLogger({ write: () => true }, { live });
      const reporter = startStatusReporter(log, () => (reads++, status), { intervalMs: 60_000 });
      reporter.refresh();
      reporter.stop();
      expect(reads, `live ${live}`).toBe(live ? 2 : 1);
    }
  });

  it('writes plain timestamped lines elsewhere', () => {
    let out = '';
    const log = createLogger({ write: (t: string) => (out += t) });
    log.status('height 1');
    log.warn('careful');
    expect(out).toMatch(/^\d{4}-\d\d-\d\dT[\d:.]+Z info height 1\n\S+ warn careful\n$/);
    expect(log.live).toBe(false);
  });
});
