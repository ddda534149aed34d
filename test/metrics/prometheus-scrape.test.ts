import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createNodeMetrics } from '../../src/metrics/registry.js';
import { prometheusInstalled, startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';
import { alertRulesIn } from '../grafana/rule-file.js';
import { FakeStatsSource } from './fake-stats-source.js';

const FIXED_METRICS = [
  '# HELP carechain_hashes_total Hashes.',
  '# TYPE carechain_hashes_total counter',
  'carechain_hashes_total{worker="0"} 1000',
  'carechain_hashes_total{worker="1"} 2500',
  '',
].join('\n');

// CI installs prometheus (.ci/run); a workstation without it skips rather than fails.
describe.skipIf(!prometheusInstalled() && !process.env.CI)('real Prometheus scraping a target (test/helpers/prometheus.ts)', () => {
  let target: Server;
  let prometheus: PrometheusServer;
  const metrics = createNodeMetrics(Object.assign(new FakeStatsSource(), { height: 42 }));
  let scrapes = 0;

  beforeAll(async () => {
    target = createServer((req, res) => {
      scrapes++;
      if (req.url === '/fixed') {
        res.writeHead(200, { 'content-type': 'text/plain; version=0.0.4' }).end(FIXED_METRICS);
      } else if (req.url === '/node') {
        metrics.metricsText().then((text) => res.writeHead(200, { 'content-type': metrics.contentType }).end(text));
      } else {
        res.writeHead(404).end();
      }
    });
    await new Promise<void>((resolve) => target.listen(0, '127.0.0.1', resolve));
    const { port } = target.address() as AddressInfo;
    prometheus = await startPrometheus({ target: `127.0.0.1:${port}`, metricsPath: '/fixed' });
  });

  afterAll(async () => {
    await prometheus?.stop();
    await new Promise((resolve) => target?.close(resolve));
  });

  it('scrapes the target and answers instant queries with its samples', async () => {
    const samples = await prometheus.waitForSamples('carechain_hashes_total');
    expect(samples.map((s) => [s.metric.worker, s.value]).sort()).toEqual([['0', 1000], ['1', 2500]]);
    expect(samples[0]!.metric.job).toBe('carechain');
    expect((await prometheus.query('sum(carechain_hashes_total)'))[0]!.value).toBe(3500);
    expect(scrapes).toBeGreaterThan(0);
  });

  it('reports a bad query as an error', async () => {
    await expect(prometheus.query('sum(')).rejects.toThrow(/failed/);
  });

  it("parses the node registry's own exposition text", async () => {
    const { port } = target.address() as AddressInfo;
    const second = await startPrometheus({ target: `127.0.0.1:${port}`, metricsPath: '/node' });
    try {
      const [height] = await second.waitForSamples('carechain_chain_height');
      expect(height!.value).toBe(42);
      const up = await second.query('up');
      expect(up.map((s) => s.value)).toEqual([1]);
      expect((await second.query('process_resident_memory_bytes'))[0]!.value).toBeGreaterThan(0);
    } finally {
      await second.stop();
    }
  });

  it("reads the registry's reorg depths and tip time as grafana/alerts.yml's rules do", async () => {
    // The rule's counter of reorgs deeper than 6 blocks, taken from inside its increase(...[15m:]).
    const deepReorg = alertRulesIn(readFileSync('grafana/alerts.yml', 'utf8')).find((r) => r.alert === 'CarechainDeepReorg')!;
    const deepReorgs = /^increase\((.*)\[15m:\]\) > 0$/s.exec(deepReorg.expr)![1]!;
    for (const depth of [1, 6, 7, 30]) metrics.reorg(depth);
    metrics.tipChanged();
    const { port } = target.address() as AddressInfo;
    const fourth = await startPrometheus({ target: `127.0.0.1:${port}`, metricsPath: '/node' });
    try {
      await fourth.waitForSamples('carechain_reorg_depth_blocks_count');
      expect((await fourth.query(deepReorgs)).map((s) => s.value)).toEqual([2]);
      const [sinceTip] = await fourth.query('time() - carechain_tip_changed_timestamp_seconds');
      expect(sinceTip!.value).toBeGreaterThanOrEqual(-1); // Prometheus's clock and ours, to the second
      expect(sinceTip!.value).toBeLessThan(60);
    } finally {
      await fourth.stop();
    }
  });

  it('stops the server and frees its port', async () => {
    const { port } = target.address() as AddressInfo;
    const third = await startPrometheus({ target: `127.0.0.1:${port}`, metricsPath: '/fixed' });
    await third.stop();
    await expect(fetch(`${third.url}/-/ready`)).rejects.toThrow();
  });
});
