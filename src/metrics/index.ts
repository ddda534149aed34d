export { createNodeMetrics, type NodeMetrics, type NodeMetricsOptions } from './registry.js';
export { BLOCK_SOURCES, type BlockSource, type EventRecorder } from './event-metrics.js';
export { HASH_RATE_WINDOWS, type HashRateWindows, type MempoolSize, type NodeStatsSource, type WorkerHashCount } from './stats-source.js';
