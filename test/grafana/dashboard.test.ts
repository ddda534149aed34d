import { readFileSync } from 'node:fs';
import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { prometheusInstalled, startPrometheus, type PrometheusServer } from '../helpers/prometheus.js';
import { exportedSeriesNames } from './exported-series.js';
import { metricNamesIn, substituteGrafanaVariables } from './promql-names.js';

type Target = { expr: string; datasource?: { uid?: string } };
type Panel = { type: string; title: string; datasource?: { type?: string; uid?: string }; targets?: Target[]; panels?: Panel[] };
type Dashboard = { uid: string; title: string; panels: Panel[]; templating: { list: { name: string; type: string; query: unknown }[] } };

const dashboard = JSON.parse(readFileSync(new URL('../../grafana/dashboard.json', import.meta.url), 'utf8')) as Dashboard;
const panels = dashboard.panels.flatMap((p) => [p, ...(p.panels ?? [])]).filter((p) => p.type !== 'row');
const queries = panels.flatMap((p) => (p.targets ?? []).map((t) => ({ panel: p.title, expr: t.expr })));

describe('grafana/dashboard.json', () => {
  it('is importable: a uid, a datasource variable, and every panel and query on that variable', () => {
    expect(dashboard.uid).toBe('carechain-node');
    expect(dashboard.templating.list).toContainEqual(expect.objectContaining({ name: 'datasource', type: 'datasource', query: 'prometheus' }));
    expect(panels.length).toBeGreaterThanOrEqual(15);
    for (const panel of panels) {
      expect(panel.datasource, panel.title).toEqual({ type: 'prometheus', uid: '${datasource}' });
      expect(panel.targets?.length, panel.title).toBeGreaterThan(0);
    }
  });

  it('names only metrics the node really exports', async () => {
    const exported = await exportedSeriesNames();
    for (const { panel, expr } of queries) {
      const names = metricNamesIn(expr);
      expect(names.length, `${panel}: ${expr}`).toBeGreaterThan(0);
      for (const name of names) expect(exported.has(name), `${panel}: ${name} in ${expr}`).toBe(true);
    }
  });

  it('graphs every carechain metric, hash rate from rate(carechain_hashes_total[1m]), and process CPU and memory', () => {
    const used = new Set(queries.flatMap((q) => metricNamesIn(q.expr)).map((n) => n.replace(/_(bucket|sum|count)$/, '')));
    const design = [
      'carechain_hashes_total', 'carechain_hashrate_hashes_per_second', 'carechain_blocks_mined_total',
      'carechain_blocks_accepted_total', 'carechain_blocks_rejected_total', 'carechain_chain_height', 'carechain_difficulty',
      'carechain_block_interval_seconds', 'carechain_job_switch_seconds', 'carechain_mempool_transactions',
      'carechain_mempool_bytes', 'carechain_transactions_rejected_total', 'carechain_mining_workers', 'carechain_reorgs_total',
      'http_request_duration_seconds', 'process_cpu_user_seconds_total', 'process_resident_memory_bytes',
      'carechain_stratum_sessions', 'carechain_stratum_shares_total', 'carechain_stratum_accepted_difficulty_total',
      'carechain_stratum_blocks_found_total',
    ];
    for (const name of design) expect(used.has(name), name).toBe(true);
    const perWorker = queries.find((q) => q.panel === 'Hash rate per worker')!;
    expect(substituteGrafanaVariables(perWorker.expr)).toBe('rate(carechain_hashes_total{instance=~".*"}[1m])');
    // The farm's hash rate is accepted share difficulty per second × 2^32.
    const farm = queries.find((q) => q.panel === 'Stratum farm hash rate')!;
    expect(substituteGrafanaVariables(farm.expr)).toBe('sum(rate(carechain_stratum_accepted_difficulty_total{instance=~".*"}[5m])) * 4294967296');
    expect(dashboard.panels.filter((p) => p.type === 'row').map((p) => p.title)).toContain('Stratum');
  });
});

describe('grafana/prometheus.yml', () => {
  it.skipIf(!prometheusInstalled() && !process.env.CI)('is a valid config scraping 127.0.0.1:8080/metrics (promtool)', () => {
    const check = spawnSync('promtool', ['check', 'config', 'grafana/prometheus.yml'], { encoding: 'utf8' });
    expect(check.status, check.stdout + check.stderr).toBe(0);
    const config = readFileSync('grafana/prometheus.yml', 'utf8');
    expect(config).toMatch(/targets: \['127\.0\.0\.1:8080'\]/);
    expect(config).toMatch(/metrics_path: \/metrics/);
  });
});

describe.skipIf(!prometheusInstalled() && !process.env.CI)('dashboard queries against a real Prometheus', () => {
  let prometheus: PrometheusServer;
  beforeAll(async () => {
    // Nothing needs scraping: the query API parses and evaluates each expression on an empty store.
    prometheus = await startPrometheus({ target: '127.0.0.1:9' });
  });
  afterAll(async () => {
    await prometheus?.stop();
  });

  it('accepts every expression as PromQL', async () => {
    for (const { panel, expr } of queries) {
      await expect(prometheus.query(substituteGrafanaVariables(expr)), `${panel}: ${expr}`).resolves.toBeDefined();
    }
  });
});
