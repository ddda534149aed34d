import { bootstrap } from '@libp2p/bootstrap';
import { gossipsub } from '@libp2p/gossipsub';
import { identify } from '@libp2p/identify';
import type { ConnectionGater, Libp2p, Metrics, PrivateKey } from '@libp2p/interface';
import { mdns } from '@libp2p/mdns';
import { noise } from '@libp2p/noise';
import { ping } from '@libp2p/ping';
import { tcp } from '@libp2p/tcp';
import { yamux } from '@libp2p/yamux';
import { createLibp2p } from 'libp2p';
import { messageId, type GossipService } from './gossip.js';
import { GOSSIP_FRAME_SLACK_BYTES } from './limits.js';
import type { WireNames } from './protocols.js';

export interface HostOptions {
  privateKey: PrivateKey;
  /** The address to listen on, as --host gives it (an IP or localhost). */
  host: string;
  port: number;
  /** Bootstrap peers' multiaddrs that carry a /p2p/ peer id. */
  bootstrap: string[];
  mdns: boolean;
  /** mDNS service tag: only nodes of the same network find each other. */
  mdnsTag: string;
  maxPeers: number;
  names: WireNames;
  /** Gossipsub's IP-colocation penalty is off on loopback, where every peer shares one address. */
  loopback: boolean;
  gater: ConnectionGater;
  metrics: () => Metrics;
  /** The application score gossipsub adds to its own (PeerScores.score). */
  appScore(peer: string): number;
}

export type Host = Libp2p<{ pubsub: GossipService; identify: unknown; ping: unknown }>;

/**
 * The libp2p node: TCP, Noise, Yamux, identify and ping, bootstrap peers and (behind a flag) mDNS,
 * no DHT; gossipsub with StrictNoSign (proof of work and signatures authenticate the content),
 * content-derived message ids, async validation, our two topics only, and peer scoring in which an
 * invalid delivery weighs heavily.
 */
export async function createHost(options: HostOptions): Promise<Host> {
  const { names } = options;
  const topicScore = {
    topicWeight: 1,
    timeInMeshWeight: 0,
    timeInMeshQuantum: 1000,
    timeInMeshCap: 1,
    firstMessageDeliveriesWeight: 1,
    firstMessageDeliveriesDecay: 0.9,
    firstMessageDeliveriesCap: 20,
    // Blocks come at the network's pace, not a steady rate: no penalty for a quiet mesh.
    meshMessageDeliveriesWeight: 0,
    meshMessageDeliveriesDecay: 0.5,
    meshMessageDeliveriesCap: 1,
    meshMessageDeliveriesThreshold: 1,
    meshMessageDeliveriesWindow: 10,
    meshMessageDeliveriesActivation: 5000,
    meshFailurePenaltyWeight: 0,
    meshFailurePenaltyDecay: 0.5,
    invalidMessageDeliveriesWeight: -100,
    invalidMessageDeliveriesDecay: 0.9,
  };
  const peerDiscovery = [
    ...(options.bootstrap.length > 0 ? [bootstrap({ list: options.bootstrap, timeout: 100 })] : []),
    ...(options.mdns ? [mdns({ serviceTag: options.mdnsTag, interval: 10_000 })] : []),
  ];
  return (await createLibp2p({
    start: false, // the protocol handlers go in before the first peer can arrive
    privateKey: options.privateKey,
    addresses: { listen: [listenAddress(options.host, options.port)] },
    transports: [tcp()],
    connectionEncrypters: [noise()],
    streamMuxers: [yamux()],
    peerDiscovery,
    connectionGater: options.gater,
    connectionManager: { maxConnections: options.maxPeers, maxIncomingPendingConnections: 8, dialTimeout: 10_000 },
    metrics: options.metrics,
    services: {
      identify: identify(),
      ping: ping(),
      pubsub: gossipsub({
        globalSignaturePolicy: 'StrictNoSign',
        asyncValidation: true,
        msgIdFn: messageId,
        allowPublishToZeroTopicPeers: true,
        ignoreDuplicatePublishError: true,
        allowedTopics: Object.values(names.topics),
        maxInboundDataLength: names.maxMessageBytes.block + GOSSIP_FRAME_SLACK_BYTES,
        scoreParams: {
          topics: { [names.topics.block]: topicScore, [names.topics.tx]: { ...topicScore, topicWeight: 0.5 } },
          appSpecificScore: (peer: string) => options.appScore(peer),
          appSpecificWeight: 1,
          IPColocationFactorWeight: options.loopback ? 0 : -5,
          IPColocationFactorThreshold: 10,
        },
      }) as unknown as (components: unknown) => GossipService,
    },
  })) as unknown as Host;
}

/** `--host` as a listen multiaddr: IPv4, IPv6 or localhost (loopback). */
export function listenAddress(host: string, port: number): string {
  const bare = host.replace(/^\[|\]$/g, '');
  if (bare === 'localhost') return `/ip4/127.0.0.1/tcp/${port}`;
  return bare.includes(':') ? `/ip6/${bare}/tcp/${port}` : `/ip4/${bare}/tcp/${port}`;
}
