import { collectDefaultMetrics, Registry } from 'prom-client';
import { registerEventMetrics, type EventRecorder } from './event-recorder.js';
import { registerNetworkMetrics, type NetworkRecorder, type NetworkStatsSource } from './network-metrics.js';
import { registerScrapeTimeMetrics } from './scrape-time-metrics.js';
import type { NodeStatsSource } from './stats-source.js';
import { registerStratumMetrics, type StratumRecorder } from './stratum-metrics.js';

/** Every metric the node exports (DESIGN.md, "Metrics"), in one registry, plus event recorders. */
export interface NodeMetrics extends EventRecorder {
  readonly registry: Registry;
  /** The exposition format's content type, for the /metrics response. */
  readonly contentType: string;
  /** The text Prometheus scrapes; reads the stats source now. */
  metricsText(): Promise<string>;
  /** What the Stratum server records (shares, blocks its miners found). */
  readonly stratum: StratumRecorder;
  /** Peer-to-peer events (gossip, requests, bytes, bans). */
  readonly network: NetworkRecorder;
}

export interface NodeMetricsOptions {
  /** prom-client's process and Node.js metrics (CPU, memory, event loop, GC); on by default. */
  defaultMetrics?: boolean;
  /** The network's gauges (peers, sync); read lazily, as the network starts after the registry. */
  network?: () => NetworkStatsSource | undefined;
}

/**
 * A fresh registry (never prom-client's global one, so several nodes or tests can coexist in one
 * process) holding the carechain metric set, reading `source` at each scrape.
 */
export function createNodeMetrics(source: NodeStatsSource, options: NodeMetricsOptions = {}): NodeMetrics {
  const registry = new Registry();
  if (options.defaultMetrics ?? true) collectDefaultMetrics({ register: registry });
  registerScrapeTimeMetrics(registry, source);
  const events = registerEventMetrics(registry);
  const stratum = registerStratumMetrics(registry, () => source.stratumSessions?.() ?? 0);
  const network = registerNetworkMetrics(registry, options.network ?? (() => undefined));
  return {
    ...events,
    stratum,
    network,
    registry,
    contentType: registry.contentType,
    metricsText: () => registry.metrics(),
  };
}
