import { Counter, Gauge, type Registry } from 'prom-client';
import { BAN_REASONS } from '../net/ban-list.js';
import { GOSSIP_TX_STATUSES, type NetworkRecorder, type NetworkStatsSource } from '../net/network-recorder.js';
import { REQRESP_NAMES, TOPIC_NAMES } from '../net/protocols.js';

export type { GossipResult, GossipTxStatus, NetworkRecorder, NetworkStatsSource, RequestResult } from '../net/network-recorder.js';

export function registerNetworkMetrics(registry: Registry, source: () => NetworkStatsSource | undefined): NetworkRecorder {
  const registers = [registry];
  const peers: Gauge<'direction'> = new Gauge({
    name: 'carechain_peers',
    help: 'Connected peers by who dialled: inbound (they did) or outbound (this node did).',
    labelNames: ['direction'],
    registers,
    collect() {
      const counts = readOr(() => source()?.peers(), { inbound: 0, outbound: 0 });
      peers.set({ direction: 'inbound' }, counts.inbound);
      peers.set({ direction: 'outbound' }, counts.outbound);
    },
  });
  scalar(registry, 'carechain_best_header_height', 'Height of the most-work header chain known, bodies or not.', () => source()?.bestHeaderHeight());
  scalar(registry, 'carechain_sync_state', 'Sync state: 0 = synced, 1 = syncing (a peer knows more work, or bodies are missing).', () => {
    const s = source();
    return s === undefined ? 0 : s.syncing() ? 1 : 0;
  });
  scalar(registry, 'carechain_sync_blocks_remaining', 'Blocks of the best known header chain not yet stored.', () => source()?.blocksRemaining() ?? 0);

  const gossip = new Counter({
    name: 'carechain_gossip_messages_total',
    help: 'Gossip messages validated, by topic and verdict (accept: relayed; ignore: not relayed, no blame; reject: invalid, sender penalised).',
    labelNames: ['topic', 'result'],
    registers,
  });
  const gossipTxs = new Counter({
    name: 'carechain_gossip_transactions_total',
    help: 'Transactions in gossiped batches, by what the admission path made of each (accepted: new and journaled; known; rejected; unavailable: the journal could not be written).',
    labelNames: ['status'],
    registers,
  });
  const requests = new Counter({
    name: 'carechain_reqresp_requests_total',
    help: 'Request/response exchanges, made (client) and served (server), by protocol and result.',
    labelNames: ['protocol', 'role', 'result'],
    registers,
  });
  const bytes = new Counter({
    name: 'carechain_p2p_bytes_total',
    help: 'Bytes on peer connections (as sent and received on the sockets, encryption included).',
    labelNames: ['direction'],
    registers,
  });
  const bans = new Counter({ name: 'carechain_peer_bans_total', help: 'Peers banned, by reason.', labelNames: ['reason'], registers });

  for (const topic of TOPIC_NAMES) for (const result of ['accept', 'ignore', 'reject']) gossip.inc({ topic, result }, 0);
  for (const status of GOSSIP_TX_STATUSES) gossipTxs.inc({ status }, 0);
  for (const protocol of REQRESP_NAMES) for (const role of ['client', 'server']) for (const result of ['ok', 'error', 'rate-limited', 'timeout']) requests.inc({ protocol, role, result }, 0);
  bytes.inc({ direction: 'in' }, 0);
  bytes.inc({ direction: 'out' }, 0);
  for (const reason of BAN_REASONS) bans.inc({ reason }, 0);

  return {
    gossipMessage: (topic, result) => gossip.inc({ topic, result }),
    gossipTransaction: (status) => gossipTxs.inc({ status }),
    request: (protocol, role, result) => requests.inc({ protocol, role, result }),
    bytes: (direction, count) => {
      if (count > 0) bytes.inc({ direction }, count);
    },
    peerBanned: (reason) => bans.inc({ reason }),
  };
}

function scalar(registry: Registry, name: string, help: string, read: () => number | undefined): void {
  const gauge: Gauge = new Gauge({
    name,
    help,
    registers: [registry],
    collect() {
      const value = readOr(read, undefined);
      if (value !== undefined && Number.isFinite(value)) gauge.set(value);
    },
  });
}

function readOr<T>(read: () => T | undefined, fallback: T): T {
  try {
    return read() ?? fallback;
  } catch {
    return fallback;
  }
}
