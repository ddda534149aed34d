import { describe, expect, it } from 'vitest';
import { createNodeMetrics, type NodeMetrics } from '../../src/metrics/registry.js';
import { FakeStatsSource } from './fake-stats-source.js';

/** DESIGN.md's metric set: name → type and label names. */
const DESIGN_METRICS: Record<string, { type: string; labels: string[] }> = {
  carechain_hashes_total: { type: 'counter', labels: ['worker'] },
  carechain_hashrate_hashes_per_second: { type: 'gauge', labels: ['window'] },
  carechain_blocks_mined_total: { type: 'counter', labels: [] },
  carechain_blocks_accepted_total: { type: 'counter', labels: ['source'] },
  carechain_blocks_rejected_total: { type: 'counter', labels: ['reason'] },
  carechain_chain_height: { type: 'gauge', labels: [] },
  carechain_difficulty: { type: 'gauge', labels: [] },
  carechain_block_interval_seconds: { type: 'histogram', labels: [] },
  carechain_job_switch_seconds: { type: 'histogram', labels: [] },
  carechain_mempool_transactions: { type: 'gauge', labels: [] },
  carechain_mempool_bytes: { type: 'gauge', labels: [] },
  carechain_transactions_rejected_total: { type: 'counter', labels: ['reason'] },
  carechain_mining_workers: { type: 'gauge', labels: [] },
  carechain_reorgs_total: { type: 'counter', labels: [] },
  // Beyond DESIGN.md's list, for the alert rules (grafana/alerts.yml).
  carechain_reorg_depth_blocks: { type: 'histogram', labels: [] },
  carechain_tip_changed_timestamp_seconds: { type: 'gauge', labels: [] },
  // The durability promises: evictions, held transactions, the fee a newcomer must pay, failing writes.
  carechain_mempool_evicted_total: { type: 'counter', labels: [] },
  carechain_mempool_min_fee_rate: { type: 'gauge', labels: [] },
  carechain_mempool_held_transactions: { type: 'gauge', labels: [] },
  carechain_storage_write_failures_total: { type: 'counter', labels: ['store'] },
  http_request_duration_seconds: { type: 'histogram', labels: ['method', 'route', 'status'] },
  carechain_stratum_sessions: { type: 'gauge', labels: [] },
  carechain_stratum_shares_total: { type: 'counter', labels: ['result'] },
  carechain_stratum_accepted_difficulty_total: { type: 'counter', labels: [] },
  carechain_stratum_blocks_found_total: { type: 'counter', labels: [] },
  carechain_peers: { type: 'gauge', labels: ['direction'] },
  carechain_gossip_messages_total: { type: 'counter', labels: ['topic', 'result'] },
  carechain_gossip_transactions_total: { type: 'counter', labels: ['status'] },
  carechain_reqresp_requests_total: { type: 'counter', labels: ['protocol', 'role', 'result'] },
  carechain_p2p_bytes_total: { type: 'counter', labels: ['direction'] },
  carechain_peer_bans_total: { type: 'counter', labels: ['reason'] },
  carechain_best_header_height: { type: 'gauge', labels: [] },
  carechain_sync_state: { type: 'gauge', labels: [] },
  carechain_sync_blocks_remaining: { type: 'gauge', labels: [] },
};

type Sample = { labels: Record<string, string | number>; value: number; metricName?: string };

async function samples(metrics: NodeMetrics, name: string): Promise<Sample[]> {
  const all = await metrics.registry.getMetricsAsJSON();
  return (all.find((m) => m.name === name)?.values ?? []) as Sample[];
}

async function value(metrics: NodeMetrics, name: string, labels: Record<string, string> = {}): Promise<number | undefined> {
  const family = name.replace(/_(bucket|sum|count)$/, '');
  const inFamily = (await samples(metrics, name)).concat(family === name ? [] : await samples(metrics, family));
  const found = inFamily.find((s) =>
    Object.entries(labels).every(([k, v]) => String(s.labels[k]) === v) && (s.metricName ?? name) === name,
  );
  return found?.value;
}

describe('createNodeMetrics', () => {
  it('exports exactly the designed metric set besides the default metrics, with their types', async () => {
    const metrics = createNodeMetrics(new FakeStatsSource());
    const exported = (await metrics.registry.getMetricsAsJSON()).filter(
      (m) => m.name.startsWith('carechain_') || m.name.startsWith('http_'),
    );
    expect(Object.fromEntries(exported.map((m) => [m.name, m.type]))).toEqual(
      Object.fromEntries(Object.entries(DESIGN_METRICS).map(([name, d]) => [name, d.type])),
    );
    const text = await metrics.metricsText();
    for (const [name, design] of Object.entries(DESIGN_METRICS)) {
      expect(text).toContain(`# TYPE ${name} ${design.type}`);
    }
  });

  it('uses exactly the designed label names', async () => {
    const source = new FakeStatsSource();
    source.workers = [{ worker: 0, hashes: 1 }];
    source.rates = { '10s': 1, '60s': 1, '15m': 1 };
    const metrics = createNodeMetrics(source);
    metrics.blockRejected('bad-pow');
    metrics.transactionRejected('bad-signature');
    metrics.httpRequest('GET', '/status', 200, 0.001);
    for (const [name, design] of Object.entries(DESIGN_METRICS)) {
      const labelNames = new Set((await samples(metrics, name)).flatMap((s) => Object.keys(s.labels)));
      labelNames.delete('le'); // a histogram's bucket bound, not a label of ours
      expect([...labelNames].sort(), name).toEqual([...design.labels].sort());
    }
  });

  it('counts Stratum shares by result, the difficulty of accepted ones and blocks found, and reads sessions at scrape time', async () => {
    const source = new FakeStatsSource();
    const metrics = createNodeMetrics(source, { defaultMetrics: false });
    expect(await value(metrics, 'carechain_stratum_sessions')).toBe(0);
    expect(await value(metrics, 'carechain_stratum_shares_total', { result: 'low-difficulty' })).toBe(0);
    source.stratumSessions = () => 7;
    metrics.stratum.share('accepted', 0.25);
    metrics.stratum.share('accepted', 0.5);
    metrics.stratum.share('duplicate', 0.5);
    metrics.stratum.blockFound();
    expect(await value(metrics, 'carechain_stratum_sessions')).toBe(7);
    expect(await value(metrics, 'carechain_stratum_shares_total', { result: 'accepted' })).toBe(2);
    expect(await value(metrics, 'carechain_stratum_shares_total', { result: 'duplicate' })).toBe(1);
    expect(await value(metrics, 'carechain_stratum_accepted_difficulty_total')).toBe(0.75);
    expect(await value(metrics, 'carechain_stratum_blocks_found_total')).toBe(1);
  });

  it("includes prom-client's process and Node.js metrics, or leaves them out on request", async () => {
    const withDefaults = await createNodeMetrics(new FakeStatsSource()).metricsText();
    expect(withDefaults).toContain('process_cpu_seconds_total');
    expect(withDefaults).toContain('process_resident_memory_bytes');
    expect(withDefaults).toContain('nodejs_heap_size_used_bytes');
    const without = await createNodeMetrics(new FakeStatsSource(), { defaultMetrics: false }).metricsText();
    expect(without).not.toContain('process_cpu_seconds_total');
  });

  it('counts evictions and failed storage writes by store', async () => {
    const metrics = createNodeMetrics(new FakeStatsSource(), { defaultMetrics: false });
    expect(await value(metrics, 'carechain_mempool_evicted_total')).toBe(0);
    expect(await value(metrics, 'carechain_storage_write_failures_total', { store: 'journal' })).toBe(0);
    metrics.transactionEvicted();
    metrics.transactionEvicted();
    metrics.storageWriteFailed('journal');
    expect(await value(metrics, 'carechain_mempool_evicted_total')).toBe(2);
    expect(await value(metrics, 'carechain_storage_write_failures_total', { store: 'journal' })).toBe(1);
    expect(await value(metrics, 'carechain_storage_write_failures_total', { store: 'blocks' })).toBe(0);
  });

  it('reads gauges from the source at each scrape', async () => {
    const source = new FakeStatsSource();
    const metrics = createNodeMetrics(source, { defaultMetrics: false });
    source.height = 12;
    source.difficultyValue = 3.5;
    source.mempoolSize = { transactions: 4, bytes: 900, minFeeRate: 2.5, held: 3 };
    source.workerCount = 2;
    expect(await value(metrics, 'carechain_chain_height')).toBe(12);
    expect(await value(metrics, 'carechain_difficulty')).toBe(3.5);
    expect(await value(metrics, 'carechain_mempool_transactions')).toBe(4);
    expect(await value(metrics, 'carechain_mempool_bytes')).toBe(900);
    expect(await value(metrics, 'carechain_mempool_min_fee_rate')).toBe(2.5);
    expect(await value(metrics, 'carechain_mempool_held_transactions')).toBe(3);
    expect(await value(metrics, 'carechain_mining_workers')).toBe(2);
    source.height = 13;
    expect(await value(metrics, 'carechain_chain_height')).toBe(13);
  });

  it('shows a rate window only once it is full', async () => {
    const source = new FakeStatsSource();
    const metrics = createNodeMetrics(source, { defaultMetrics: false });
    source.rates = { '10s': 8e6, '60s': null, '15m': null };
    expect((await samples(metrics, 'carechain_hashrate_hashes_per_second')).map((s) => [s.labels.window, s.value])).toEqual([['10s', 8e6]]);
    source.rates = { '10s': 7e6, '60s': 7.5e6, '15m': null };
    expect(await value(metrics, 'carechain_hashrate_hashes_per_second', { window: '60s' })).toBe(7.5e6);
    expect(await value(metrics, 'carechain_hashrate_hashes_per_second', { window: '10s' })).toBe(7e6);
  });

  it('keeps carechain_hashes_total monotonic per worker when a worker is replaced', async () => {
    const source = new FakeStatsSource();
    const metrics = createNodeMetrics(source, { defaultMetrics: false });
    source.workers = [{ worker: 0, hashes: 1000, incarnation: 1 }, { worker: 1, hashes: 2000, incarnation: 1 }];
    expect(await value(metrics, 'carechain_hashes_total', { worker: '0' })).toBe(1000);
    source.workers = [{ worker: 0, hashes: 300, incarnation: 2 }, { worker: 1, hashes: 2500, incarnation: 1 }];
    expect(await value(metrics, 'carechain_hashes_total', { worker: '0' })).toBe(1300);
    expect(await value(metrics, 'carechain_hashes_total', { worker: '1' })).toBe(2500);
    source.workers = [{ worker: 0, hashes: 400, incarnation: 2 }];
    expect(await value(metrics, 'carechain_hashes_total', { worker: '0' })).toBe(1400);
    expect(await value(metrics, 'carechain_hashes_total', { worker: '1' })).toBe(2500);
  });

  it('survives a failing source: that metric keeps its last value or stays absent, the rest is fresh', async () => {
    const source = new FakeStatsSource();
    const metrics = createNodeMetrics(source, { defaultMetrics: false });
    source.mempoolSize = { transactions: 1, bytes: 700, minFeeRate: 0, held: 0 };
    await metrics.metricsText();
    source.height = 5;
    source.mempoolSize = { transactions: 9, bytes: 9000, minFeeRate: 0, held: 0 };
    source.failing = new Set(['mempool', 'hashRates', 'workerHashes']);
    const text = await metrics.metricsText();
    expect(text).toMatch(/^carechain_chain_height 5$/m);
    expect(text).toMatch(/^carechain_mempool_bytes 700$/m);
    expect(text).not.toMatch(/^carechain_hashrate_hashes_per_second\{/m);
    expect(text).not.toMatch(/^carechain_hashes_total\{/m);
    source.failing.clear();
    expect(await metrics.metricsText()).toMatch(/^carechain_mempool_bytes 9000$/m);
  });

  it('records block, transaction and reorg events', async () => {
    const metrics = createNodeMetrics(new FakeStatsSource(), { defaultMetrics: false });
    expect(await value(metrics, 'carechain_blocks_accepted_total', { source: 'peer' })).toBe(0);
    metrics.blockMined();
    metrics.blockAccepted('miner');
    metrics.blockAccepted('miner');
    metrics.blockRejected('bad-pow');
    metrics.transactionRejected('bad-sequence');
    metrics.reorg(1);
    expect(await value(metrics, 'carechain_blocks_mined_total')).toBe(1);
    expect(await value(metrics, 'carechain_blocks_accepted_total', { source: 'miner' })).toBe(2);
    expect(await value(metrics, 'carechain_blocks_rejected_total', { reason: 'bad-pow' })).toBe(1);
    expect(await value(metrics, 'carechain_transactions_rejected_total', { reason: 'bad-sequence' })).toBe(1);
    expect(await value(metrics, 'carechain_reorgs_total')).toBe(1);
  });

  it('records each reorg\'s depth in a histogram whose bucket 6 separates the reorgs deeper than six blocks', async () => {
    const metrics = createNodeMetrics(new FakeStatsSource(), { defaultMetrics: false });
    expect(await value(metrics, 'carechain_reorg_depth_blocks_count')).toBe(0);
    for (const depth of [1, 6, 7, 120]) metrics.reorg(depth);
    expect(await value(metrics, 'carechain_reorgs_total')).toBe(4);
    expect(await value(metrics, 'carechain_reorg_depth_blocks_count')).toBe(4);
    expect(await value(metrics, 'carechain_reorg_depth_blocks_sum')).toBe(134);
    expect(await value(metrics, 'carechain_reorg_depth_blocks_bucket', { le: '1' })).toBe(1);
    expect(await value(metrics, 'carechain_reorg_depth_blocks_bucket', { le: '6' })).toBe(2);
    expect(await value(metrics, 'carechain_reorg_depth_blocks_bucket', { le: '10' })).toBe(3);
    expect(await value(metrics, 'carechain_reorg_depth_blocks_bucket', { le: '100' })).toBe(3);
  });

  it('stamps the unix time of each tip change, in seconds', async () => {
    const metrics = createNodeMetrics(new FakeStatsSource(), { defaultMetrics: false });
    const before = Date.now() / 1000;
    metrics.tipChanged();
    const stamped = (await value(metrics, 'carechain_tip_changed_timestamp_seconds'))!;
    expect(stamped).toBeGreaterThanOrEqual(before);
    expect(stamped).toBeLessThanOrEqual(Date.now() / 1000);
  });

  it('files reasons that are not short slugs under "other", so labels stay low-cardinality', async () => {
    const metrics = createNodeMetrics(new FakeStatsSource(), { defaultMetrics: false });
    metrics.transactionRejected('signature check failed for key 03ab…');
    for (let i = 0; i < 100; i++) metrics.blockRejected(`reason-${i}`);
    expect(await value(metrics, 'carechain_transactions_rejected_total', { reason: 'other' })).toBe(1);
    const reasons = new Set((await samples(metrics, 'carechain_blocks_rejected_total')).map((s) => s.labels.reason));
    expect(reasons.size).toBe(65);
    expect(await value(metrics, 'carechain_blocks_rejected_total', { reason: 'other' })).toBe(36);
  });

  it('observes histograms and ignores negative durations', async () => {
    const metrics = createNodeMetrics(new FakeStatsSource(), { defaultMetrics: false });
    metrics.jobSwitched(0.004);
    metrics.jobSwitched(-1);
    metrics.blockInterval(30);
    metrics.httpRequest('GET', '/blocks/:hashOrHeight', 404, 0.002);
    metrics.httpRequest('GET', '/no/such/thing?x=1', 404, 0.002);
    expect(await value(metrics, 'carechain_job_switch_seconds_count')).toBe(1);
    expect(await value(metrics, 'carechain_job_switch_seconds_bucket', { le: '0.005' })).toBe(1);
    expect(await value(metrics, 'carechain_job_switch_seconds_bucket', { le: '0.002' })).toBe(0);
    expect(await value(metrics, 'carechain_block_interval_seconds_sum')).toBe(30);
    expect(
      await value(metrics, 'http_request_duration_seconds_count', { method: 'GET', route: '/blocks/:hashOrHeight', status: '404' }),
    ).toBe(1);
    expect(await value(metrics, 'http_request_duration_seconds_count', { route: 'unmatched' })).toBe(1);
  });

  it('keeps two registries in one process apart', async () => {
    const a = createNodeMetrics(new FakeStatsSource());
    const b = createNodeMetrics(new FakeStatsSource());
    a.blockMined();
    expect(await value(a, 'carechain_blocks_mined_total')).toBe(1);
    expect(await value(b, 'carechain_blocks_mined_total')).toBe(0);
  });
});
