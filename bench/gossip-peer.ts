// A light peer for the relay benchmark: a libp2p node in the benchmark's own process that speaks
// carechain's wire (the node's own stack and names) and publishes ready-made transactions by gossip.
// It has no chain, journal or HTTP server, so what it costs the machine is only the sending side of
// the gossip: the miner it feeds pays for receiving, checking, journaling and re-templating.
import type { PeerId } from '@libp2p/interface';
import { multiaddr } from '@multiformats/multiaddr';
import type { Network } from '../src/chain/network.js';
import type { Host } from '../src/net/libp2p-host.js';
import { TX_BATCH_MAX_COUNT, TX_RELAY_BATCH_MS } from '../src/net/limits.js';
import { encodeTxBatch } from '../src/net/wire.js';
import { startWirePeer } from './wire-peer.js';

export class GossipPeer {
  private constructor(
    private readonly host: Host,
    private readonly topic: string,
  ) {}

  /** A peer on `network` that says it holds only the genesis block, so nobody syncs from it. */
  static async start(network: Network): Promise<GossipPeer> {
    const { host, names } = await startWirePeer(network, ['tx']);
    return new GossipPeer(host, names.topics.tx);
  }

  /** Connect to a node and wait until its gossip mesh includes this peer (bounded by `timeoutMs`). */
  async connect(addr: string, timeoutMs = 30_000): Promise<void> {
    const id = /\/p2p\/([^/]+)$/.exec(addr)?.[1];
    if (!id) throw new Error(`${addr} names no peer id (/p2p/…)`);
    await this.host.dial(multiaddr(addr), { signal: AbortSignal.timeout(timeoutMs) });
    // Part of gossipsub's API the node's GossipService does not need.
    const pubsub = this.host.services.pubsub as unknown as { getSubscribers(topic: string): PeerId[] };
    const deadline = performance.now() + timeoutMs;
    while (!pubsub.getSubscribers(this.topic).some((p) => p.toString() === id)) {
      if (performance.now() > deadline) throw new Error(`the node at ${addr} did not subscribe to ${this.topic} in time`);
      await new Promise((r) => setTimeout(r, 100));
    }
    await new Promise((r) => setTimeout(r, 1_500)); // a gossipsub heartbeat or so: the node grafts this peer into its mesh
  }

  /**
   * Announce each transaction once at `rate` per second, as a node gossips what its clients send:
   * every TX_RELAY_BATCH_MS, the ones that came in meanwhile as one batch (TxBatcher's pace, with
   * no timer per transaction here to cost the machine the miner shares).
   */
  async publishAtRate(txs: readonly Uint8Array[], rate: number): Promise<void> {
    const sent: Promise<unknown>[] = [];
    const start = performance.now();
    for (let done = 0, tick = 1; done < txs.length; tick++) {
      const wait = start + tick * TX_RELAY_BATCH_MS - performance.now();
      if (wait > 0) await new Promise((r) => setTimeout(r, wait));
      const due = Math.min(txs.length, Math.round(((performance.now() - start) * rate) / 1000));
      for (let i = done; i < due; i += TX_BATCH_MAX_COUNT) {
        sent.push(this.host.services.pubsub.publish(this.topic, encodeTxBatch(txs.slice(i, Math.min(due, i + TX_BATCH_MAX_COUNT)))).catch(() => undefined));
      }
      done = Math.max(done, due);
    }
    await Promise.all(sent);
  }

  async stop(): Promise<void> {
    await this.host.stop();
  }
}
