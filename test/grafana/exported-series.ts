import { createNodeMetrics } from '../../src/metrics/registry.js';
import { FakeStatsSource } from '../metrics/fake-stats-source.js';

/** Every series name the node's registry exports, default metrics and histogram parts included. */
export async function exportedSeriesNames(): Promise<Set<string>> {
  const metrics = createNodeMetrics(new FakeStatsSource());
  const names = new Set<string>();
  for (const metric of await metrics.registry.getMetricsAsJSON()) {
    const type = String(metric.type);
    const suffixes = type === 'histogram' ? ['_bucket', '_sum', '_count'] : type === 'summary' ? ['', '_sum', '_count'] : [''];
    for (const suffix of suffixes) names.add(metric.name + suffix);
  }
  return names;
}
