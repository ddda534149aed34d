import { Registry } from 'prom-client';
import type { Chain } from '../../src/chain/chain.js';
import { registerStratumMetrics } from '../../src/metrics/stratum-metrics.js';
import { JobPublisher, type JobPublisherOptions } from '../../src/node/job-publisher.js';
import { StratumServer, type StratumServerOptions } from '../../src/stratum/server.js';
import { NOW, keys, openChain } from '../chain/helpers.js';
import { memoryLogger } from '../node/fakes.js';

/** The node's Stratum side in this process: a test-network chain, its job publisher, the server on a free port. */
export interface StratumNode {
  chain: Chain;
  publisher: JobPublisher;
  server: StratumServer;
  registry: Registry;
  log: ReturnType<typeof memoryLogger>;
  /** The node's own coinbase key (paid for usernames that are not keys). */
  nodeKey: string;
  close(): Promise<void>;
}

/** The chain's clock is pinned to NOW; the server's runs from NOW in real time, so timeouts still pass. */
export async function startStratumNode(options: Partial<StratumServerOptions> = {}, publisherOptions: Partial<JobPublisherOptions> = {}): Promise<StratumNode> {
  const chain = await openChain();
  const log = memoryLogger();
  const nodeKey = keys().publicKey;
  const publisher = new JobPublisher(chain, log, { recipient: nodeKey, now: () => NOW, ...publisherOptions });
  publisher.start();
  const registry = new Registry();
  const started = Date.now();
  const server = await StratumServer.start(
    { chain, publisher, defaultRecipient: nodeKey, recorder: registerStratumMetrics(registry, () => server.sessionCount), log },
    { host: '127.0.0.1', port: 0, minDifficulty: 1e-12, now: () => NOW * 1000 + (Date.now() - started), ...options },
  );
  return {
    chain,
    publisher,
    server,
    registry,
    log,
    nodeKey,
    async close() {
      await server.close();
      publisher.stop();
      await chain.close();
    },
  };
}

/** A counter's value from the registry, summed over its series that carry these labels. */
export async function counterValue(registry: Registry, name: string, labels: Record<string, string> = {}): Promise<number> {
  const metric = await registry.getSingleMetric(name)?.get();
  return (metric?.values ?? [])
    .filter((v) => Object.entries(labels).every(([k, value]) => v.labels[k] === value))
    .reduce((sum, v) => sum + v.value, 0);
}
