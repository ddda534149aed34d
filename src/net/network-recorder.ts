import type { AdmissionOutcome } from '../chain/chain-types.js';
import type { BanReason } from './ban-list.js';
import type { ReqRespName, TopicName } from './protocols.js';

/**
 * What the peer layer reports, and what it needs: ports the node wires to the metrics registry
 * (src/metrics/network-metrics.ts implements the recorder) and to its log, so this layer depends
 * on neither.
 */

/** Peer-to-peer events, recorded as they happen (labels from fixed sets: never a peer id or an address). */
export interface NetworkRecorder {
  gossipMessage(topic: TopicName, result: GossipResult): void;
  /** What the admission path made of each transaction in a gossiped batch. */
  gossipTransaction(status: GossipTxStatus): void;
  request(protocol: ReqRespName, role: 'client' | 'server', result: RequestResult): void;
  bytes(direction: 'in' | 'out', count: number): void;
  peerBanned(reason: BanReason): void;
}

export type GossipResult = 'accept' | 'ignore' | 'reject';
/** What the admission path answers for a transaction (AdmissionOutcome's status). */
export type GossipTxStatus = AdmissionOutcome['status'];
export const GOSSIP_TX_STATUSES = ['accepted', 'known', 'rejected', 'unavailable'] as const satisfies readonly GossipTxStatus[];
export type RequestResult = 'ok' | 'error' | 'rate-limited' | 'timeout';

/** What the network gauges read at scrape time; absent (a node without p2p), they read zeros. */
export interface NetworkStatsSource {
  peers(): { inbound: number; outbound: number };
  bestHeaderHeight(): number;
  syncing(): boolean;
  /** Blocks of the best known header chain whose bodies are not stored yet. */
  blocksRemaining(): number;
}

/** What the peer layer logs (the node's Logger is one). */
export interface NetLog {
  info(message: string): void;
  warn(message: string): void;
}
