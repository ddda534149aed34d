import { describe, expect, it } from 'vitest';
import { createNodeMetrics, type NodeMetrics } from '../../src/metrics/registry.js';
import { FakeStatsSource } from '../metrics/fake-stats-source.js';
import { h } from './fake-node-api.js';
import { json, makeApp } from './make-app.js';

function appWithMetrics() {
  const metrics = createNodeMetrics(new FakeStatsSource(), { defaultMetrics: false });
  return { ...makeApp({ observeRequest: metrics.httpRequest }), metrics };
}

async function countOf(metrics: NodeMetrics, labels: Record<string, string>) {
  const histogram = (await metrics.registry.getMetricsAsJSON()).find((m) => m.name === 'http_request_duration_seconds')!;
  const samples = histogram.values as { metricName?: string; labels: Record<string, string | number>; value: number }[];
  return samples
    .filter((s) => s.metricName === 'http_request_duration_seconds_count')
    .filter((s) => Object.entries(labels).every(([k, v]) => String(s.labels[k]) === v))
    .reduce((sum, s) => sum + s.value, 0);
}

describe('HTTP duration histogram', () => {
  it('labels requests by route pattern, not raw path', async () => {
    const { app, metrics } = appWithMetrics();
    await app.request('/blocks/1');
    await app.request(`/blocks/${h(0xb002)}`);
    await app.request('/blocks/99');
    expect(await countOf(metrics, { method: 'GET', route: '/blocks/:hashOrHeight', status: '200' })).toBe(2);
    expect(await countOf(metrics, { method: 'GET', route: '/blocks/:hashOrHeight', status: '404' })).toBe(1);
  });

  it('files unknown paths under one "unmatched" route', async () => {
    const { app, metrics } = appWithMetrics();
    for (let i = 0; i < 5; i++) await app.request(`/random/${i}`);
    expect(await countOf(metrics, { route: 'unmatched', status: '404' })).toBe(5);
  });

  it('records problems with their final status, including 500s from non-Error throws', async () => {
    const { app, api, metrics } = appWithMetrics();
    await app.request('/txs', json('{oops'));
    api.failWith = 'boom';
    await app.request('/status');
    expect(await countOf(metrics, { method: 'POST', route: '/txs', status: '400' })).toBe(1);
    expect(await countOf(metrics, { method: 'GET', route: '/status', status: '500' })).toBe(1);
  });

  it('records refused requests (401) under their route', async () => {
    const metrics = createNodeMetrics(new FakeStatsSource(), { defaultMetrics: false });
    const { app } = makeApp({ host: '0.0.0.0', observeRequest: metrics.httpRequest });
    await app.request('/mining/pause', { method: 'POST' });
    expect(await countOf(metrics, { method: 'POST', route: '/mining/pause', status: '401' })).toBe(1);
  });
});
