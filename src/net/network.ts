import { randomBytes } from 'node:crypto';
import type { PeerId } from '@libp2p/interface';
import { peerIdFromString } from '@libp2p/peer-id';
import { multiaddr, type Multiaddr } from '@multiformats/multiaddr';
import { encodeBlock } from '../chain/block.js';
import type { Chain } from '../chain/chain.js';
import type { SubmitResult } from '../chain/chain-types.js';
import type { NetworkRecorder, NetworkStatsSource } from './network-recorder.js';
import type { NetLog } from './network-recorder.js';
import { BanList, type Ban, type BanReason } from './ban-list.js';
import { byteCounter } from './byte-counter.js';
import { GossipRelay } from './gossip.js';
import { createHost, type Host } from './libp2p-host.js';
import { MAX_CONFIGURED_PEERS, MAX_MEMPOOL_SYNC, REQUEST_QUOTAS, TX_GOSSIP_MAX_BYTES } from './limits.js';
import { TxBatcher } from './tx-batcher.js';
import { PeerBook, type ConnectedPeer } from './peer-book.js';
import { loadPeerKey } from './peer-key.js';
import { actionFor, PeerScores, type PeerAction } from './peer-scores.js';
import { PendingBlocks } from './pending-blocks.js';
import { networkId, wireNames, type ReqRespName, type WireNames } from './protocols.js';
import { RequestFailure, ReqResp } from './reqresp.js';
import { RequestQuotas } from './request-quotas.js';
import { localStatus, serveProtocols } from './served-protocols.js';
import { Syncer, type SyncProgress } from './syncer.js';
import type { AdmissionOutcome, TxAdmissionPort as TxAdmission } from '../chain/chain-types.js';
import { decodePing, decodeStatus, encodeGoodbye, encodeMempoolRequest, encodePing, encodeStatus, type GoodbyeReason, type PeerStatus } from './wire.js';

export interface NetworkOptions {
  dataDir: string;
  chain: Chain;
  admission: TxAdmission;
  /** Listen address (follows --host: loopback by default). */
  host: string;
  /** 0 = any free port. */
  port: number;
  /** Bootstrap peers (--peer), kept connected. */
  peers: string[];
  maxPeers: number;
  mdns: boolean;
  log: NetLog;
  metrics: NetworkRecorder;
  /** How long a score ban lasts (default 24 h, bcoin's). */
  banSeconds?: number;
}

/** One connected peer, as GET /peers shows it. */
export interface PeerView {
  id: string;
  addresses: string[];
  direction: 'inbound' | 'outbound';
  score: number;
  tipHeight: number | null;
  latencyMs: number | null;
  /** ISO time the connection opened. */
  since: string;
}

/** Thrown for a request the operator got wrong (bad address or id): the API answers 400. */
export class PeerInputError extends Error {
  override name = 'PeerInputError';
}

/** Thrown when a dial fails: the API answers 502. */
export class DialFailure extends Error {
  override name = 'DialFailure';
}

const DEFAULT_BAN_SECONDS = 24 * 60 * 60;
const HEARTBEAT_MS = 1_000;
const STATUS_EVERY_MS = 30_000;
const PING_EVERY_MS = 15_000;
const KEEPER_MS = 10_000;
const ORPHANS_EVERY_MS = 10_000;
/** The gossipsub score (without ours in it) below which gossipsub itself ignores a peer. */
const GOSSIP_GRAYLIST = -80;
/** A peer's mempool is admitted this many transactions per event-loop turn. */
const MEMPOOL_SYNC_SLICE = 64;

/**
 * The node's peer-to-peer layer on js-libp2p: peers, their scores and bans, gossip, request/response
 * and sync, wired to the chain's one door for blocks (submitBlock) and the admission path for
 * transactions. What enters from a peer is judged there; what leaves was stored first.
 */
export class P2pNetwork {
  readonly peerId: string;
  private readonly pending = new PendingBlocks();
  private readonly quotas = new RequestQuotas(REQUEST_QUOTAS);
  private readonly reqresp: ReqResp;
  private readonly gossip: GossipRelay;
  /** Our own announcements, gathered into batches (a peer's batches are relayed as they came). */
  private readonly txBatcher: TxBatcher;
  private readonly syncer: Syncer;
  /** Addresses kept connected: --peer, and those added with POST /peers. */
  private readonly kept = new Map<string, { addr: Multiaddr; peer: string | undefined; failing: boolean }>();
  private readonly wrongNetwork = new Set<string>();
  private readonly handshakes = new Map<string, Promise<void>>();
  private readonly lastStatusAt = new Map<string, number>();
  private readonly lastPingAt = new Map<string, number>();
  private readonly mempoolSynced = new Set<string>();
  private readonly timers: NodeJS.Timeout[] = [];
  private readonly banSeconds: number;
  private closing = false;
  private orphansAskedAt = 0;
  private readonly onChainBlock = (e: { hash: string; source: string }) => this.blockStored(e.hash, e.source);

  static async start(options: NetworkOptions): Promise<P2pNetwork> {
    const { key, path, created } = await loadPeerKey(options.dataDir);
    const bans = new BanList(options.dataDir);
    if (bans.loadError) options.log.warn(`p2p: ${bans.loadError}`);
    const names = wireNames(options.chain.network);
    const scores = new PeerScores();
    const peers = new PeerBook();
    const bootstrap = options.peers.filter((a) => peerOf(multiaddr(a)) !== undefined);
    const host = await createHost({
      privateKey: key,
      host: options.host,
      port: options.port,
      bootstrap,
      mdns: options.mdns,
      mdnsTag: `_carechain-${networkId(options.chain.network)}._udp.local`,
      maxPeers: options.maxPeers,
      names,
      loopback: isLoopbackHost(options.host),
      appScore: (peer) => scores.score(peer),
      metrics: byteCounter((direction, bytes) => options.metrics.bytes(direction, bytes)),
      gater: {
        denyDialPeer: (id) => bans.isBanned(id.toString()),
        denyInboundEncryptedConnection: (id) => bans.isBanned(id.toString()),
        denyOutboundEncryptedConnection: (id) => bans.isBanned(id.toString()),
        denyInboundConnection: () => peers.all().length >= options.maxPeers,
      },
    });
    const network = new P2pNetwork(options, host, bans, names, scores, peers);
    options.log.info(`p2p: peer id ${host.peerId.toString()}${created ? `, a new identity kept in ${path}` : ` (${path})`}`);
    await network.begin();
    return network;
  }

  private constructor(
    private readonly options: NetworkOptions,
    private readonly host: Host,
    private readonly bans: BanList,
    names: WireNames,
    private readonly scores: PeerScores,
    private readonly peers: PeerBook,
  ) {
    this.peerId = host.peerId.toString();
    this.banSeconds = options.banSeconds ?? DEFAULT_BAN_SECONDS;
    const penalise = (peer: string, action: PeerAction, reason: BanReason) => this.penalise(peer, action, reason);
    this.reqresp = new ReqResp({
      libp2p: host,
      names,
      quotas: this.quotas,
      metrics: options.metrics,
      penalise,
      admitted: (peer, protocol) => protocol === 'status' || protocol === 'goodbye' || protocol === 'ping' || this.peers.get(peer)?.admitted === true,
      onError: (m) => options.log.warn(m),
    });
    this.gossip = new GossipRelay({
      pubsub: host.services.pubsub,
      names,
      chain: options.chain,
      admission: options.admission,
      pending: this.pending,
      metrics: options.metrics,
      penalise,
      onUnknownParent: (peer) => this.syncer.headersWanted(peer),
      onBlockFrom: (peer, block) => {
        // One line per gossiped block, as for a mined one (sync does not log each block it connects).
        options.log.info(`p2p: block ${block.height} ${block.hash} from ${short(peer)}${block.outcome === 'new-tip' ? '' : ` (${block.outcome})`}`);
        this.sawBlockFrom(peer, block.hash);
      },
      announce: (tx) => this.publishTransaction(tx),
    });
    this.txBatcher = new TxBatcher((batch) => void this.gossip.publishTransactions(batch));
    this.syncer = new Syncer({ chain: options.chain, reqresp: this.reqresp, peers: this.peers, pending: this.pending, penalise, log: options.log });
    for (const addr of options.peers.slice(0, MAX_CONFIGURED_PEERS)) this.keep(multiaddr(addr));
  }

  private async begin(): Promise<void> {
    const { host, options } = this;
    await serveProtocols(this.reqresp, {
      chain: options.chain,
      onStatus: (peer, status) => this.statusHeard(peer, status, 'asked'),
      onGoodbye: (peer, reason) => this.goodbyeHeard(peer, reason),
    });
    host.addEventListener('peer:connect', (e) => this.connected(e.detail));
    host.addEventListener('peer:disconnect', (e) => this.disconnected(e.detail));
    host.addEventListener('peer:discovery', (e) => this.discovered(e.detail.id));
    await host.start();
    this.gossip.start();
    this.syncer.start();
    options.chain.on('block', this.onChainBlock);
    this.every(HEARTBEAT_MS, () => this.heartbeat());
    this.every(KEEPER_MS, () => this.keepConnected());
    setTimeout(() => this.keepConnected(), 200).unref();
    options.log.info(`p2p: listening on ${this.multiaddrs().join(', ')}`);
  }

  /** The node's own addresses, with its peer id (what other nodes pass to --peer). */
  multiaddrs(): string[] {
    return this.host.getMultiaddrs().map(String);
  }

  peerViews(): PeerView[] {
    return this.peers.all().map((p) => ({
      id: p.key,
      addresses: p.addresses,
      direction: p.direction,
      score: Math.round(this.scores.score(p.key) * 100) / 100,
      tipHeight: p.status?.height ?? null,
      latencyMs: p.latencyMs === undefined ? null : Math.round(p.latencyMs * 10) / 10,
      since: new Date(p.since).toISOString(),
    }));
  }

  bansInForce(): Ban[] {
    return this.bans.list();
  }

  syncProgress(): SyncProgress {
    return this.syncer.progress();
  }

  stats(): NetworkStatsSource {
    return {
      peers: () => this.peers.counts(),
      bestHeaderHeight: () => this.options.chain.bestHeader().height,
      syncing: () => this.syncer.progress().state === 'syncing',
      blocksRemaining: () => this.syncer.progress().blocksRemaining,
    };
  }

  /** Dial a peer now and keep it connected (POST /peers); lifts a ban on it: the operator asked. */
  async connect(addr: string): Promise<PeerView> {
    let ma: Multiaddr;
    try {
      ma = multiaddr(addr);
    } catch (err) {
      throw new PeerInputError(`"${addr.slice(0, 120)}" is not a multiaddr: ${(err as Error).message}`);
    }
    const wanted = peerOf(ma);
    if (wanted === this.peerId) throw new PeerInputError('that address is this node');
    if (wanted !== undefined && this.bans.unban(wanted)) {
      this.scores.forget(wanted);
      this.options.log.info(`p2p: lifted the ban on ${short(wanted)} (connecting on request)`);
    }
    let id: PeerId;
    try {
      id = (await this.host.dial(ma, { signal: AbortSignal.timeout(10_000) })).remotePeer;
    } catch (err) {
      throw new DialFailure(`cannot connect to ${addr}: ${(err as Error).message}`);
    }
    this.keep(ma, id.toString());
    const key = id.toString();
    this.connected(id);
    await this.handshakes.get(key);
    const view = this.peerViews().find((p) => p.id === key);
    if (!view) throw new DialFailure(`${short(key)} hung up right after connecting${this.wrongNetwork.has(key) ? ' (another network)' : ''}`);
    return view;
  }

  /**
   * Say goodbye to a peer and hang up (DELETE /peers/:id); with `banSeconds`, ban it too, so neither
   * side's dials get through. Either way it is no longer kept connected.
   */
  async disconnect(id: string, banSeconds?: number): Promise<{ disconnected: boolean; bannedUntil: number | null }> {
    let peerId: PeerId;
    try {
      peerId = peerIdFromString(id);
    } catch {
      throw new PeerInputError(`"${id.slice(0, 80)}" is not a peer id`);
    }
    const key = peerId.toString();
    for (const [k, kept] of this.kept) if (kept.peer === key) this.kept.delete(k);
    const connected = this.peers.get(key) !== undefined;
    let bannedUntil: number | null = null;
    if (banSeconds !== undefined && banSeconds > 0) {
      bannedUntil = this.ban(key, banSeconds, 'operator').until;
      await this.goodbye(peerId, 'banned');
    } else if (connected) {
      await this.goodbye(peerId, 'operator');
    }
    return { disconnected: connected, bannedUntil };
  }

  /** Announce a transaction this node journaled (a client's, or a peer's from a batch not relayed as it came), in the next batch. */
  publishTransaction(raw: Uint8Array): void {
    if (!this.closing) this.txBatcher.add(raw);
  }

  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    for (const t of this.timers) clearInterval(t);
    this.options.chain.off('block', this.onChainBlock);
    this.syncer.stop();
    this.txBatcher.flush();
    this.gossip.stop();
    await Promise.all(this.peers.all().map((p) => this.goodbye(p.id, 'client-shutdown')));
    await this.host.stop();
  }

  // ── peers coming and going ──

  private connected(id: PeerId): void {
    const key = id.toString();
    if (this.peers.get(key) || this.closing) return;
    const connections = this.host.getConnections(id);
    const direction = connections[0]?.direction ?? 'outbound';
    this.peers.add(id, direction, [...new Set(connections.map((c) => c.remoteAddr.toString()))]);
    const handshake = this.handshake(key).finally(() => this.handshakes.delete(key));
    this.handshakes.set(key, handshake);
  }

  private disconnected(id: PeerId): void {
    const key = id.toString();
    const peer = this.peers.remove(key);
    this.syncer.peerGone(key);
    this.lastStatusAt.delete(key);
    this.lastPingAt.delete(key);
    this.mempoolSynced.delete(key);
    if (peer?.admitted && !this.closing) this.options.log.info(`p2p: ${short(key)} disconnected (${this.peers.all().length} peer(s) left)`);
  }

  private discovered(id: PeerId): void {
    const key = id.toString();
    if (!this.options.mdns || this.closing || key === this.peerId || this.peers.get(key) || this.bans.isBanned(key) || this.wrongNetwork.has(key)) return;
    if (this.peers.counts().outbound >= Math.max(2, Math.ceil(this.options.maxPeers / 3))) return;
    void this.host.dial(id, { signal: AbortSignal.timeout(10_000) }).catch(() => undefined);
  }

  /** Exchange status with a new peer: on our network it is admitted (sync, mempool); otherwise refused. */
  private async handshake(key: string): Promise<void> {
    const peer = this.peers.get(key);
    if (!peer) return;
    try {
      await this.refreshStatus(peer);
    } catch (err) {
      if (!this.closing && this.peers.get(key)) {
        this.options.log.warn(`p2p: no status from ${short(key)} (${(err as Error).message}); hanging up`);
        await this.host.hangUp(peer.id).catch(() => undefined);
      }
    }
  }

  private async refreshStatus(peer: ConnectedPeer): Promise<void> {
    this.lastStatusAt.set(peer.key, Date.now());
    const answer = await this.reqresp.request(peer.id, 'status', encodeStatus(localStatus(this.options.chain)), { maxResponseBytes: 128 });
    this.statusHeard(peer.key, decodeStatus(answer.payload), 'answered');
  }

  private statusHeard(key: string, status: PeerStatus, how: 'asked' | 'answered'): void {
    const peer = this.peers.get(key);
    if (!peer) return;
    if (status.genesisHash !== this.options.chain.network.genesisHash) {
      // Not a bad peer, just another network: tell it why (after our own answer has gone out) and part.
      if (!this.wrongNetwork.has(key)) {
        this.options.log.warn(`p2p: ${short(key)} is on another network (genesis ${status.genesisHash.slice(0, 16)}…); refused`);
        if (this.wrongNetwork.size > 1000) this.wrongNetwork.clear();
        this.wrongNetwork.add(key);
      }
      setTimeout(() => void this.goodbye(peer.id, 'wrong-network'), how === 'asked' ? 100 : 0).unref();
      return;
    }
    const first = !peer.admitted;
    if (!peer.status || status.totalWork >= peer.status.totalWork) peer.status = status;
    peer.admitted = true;
    this.syncer.peerStatus(peer);
    if (first) this.options.log.info(`p2p: ${short(key)} connected (${peer.direction}, height ${status.height}; ${this.peers.all().length} peer(s))`);
    this.maybeSyncMempool(peer);
  }

  private goodbyeHeard(key: string, reason: GoodbyeReason): void {
    this.options.log.info(`p2p: ${short(key)} said goodbye (${reason})`);
    const peer = this.peers.get(key);
    if (peer) setTimeout(() => void this.host.hangUp(peer.id).catch(() => undefined), 50).unref();
  }

  private async goodbye(id: PeerId, reason: GoodbyeReason): Promise<void> {
    try {
      await this.reqresp.request(id, 'goodbye', encodeGoodbye(reason), { maxResponseBytes: 16 });
    } catch {
      // A courtesy: hang up whether or not it was heard.
    }
    await this.host.hangUp(id).catch(() => undefined);
  }

  /**
   * Once per connection, fetch the peer's pending transactions (bounded) through the one admission
   * path — after this node has caught up, since they are judged against the tip.
   */
  private maybeSyncMempool(peer: ConnectedPeer): void {
    if (this.mempoolSynced.has(peer.key) || this.syncer.progress().state !== 'synced') return;
    this.mempoolSynced.add(peer.key);
    void this.syncMempool(peer);
  }

  private async syncMempool(peer: ConnectedPeer): Promise<void> {
    try {
      const answer = await this.reqresp.request(peer.id, 'mempool', encodeMempoolRequest(MAX_MEMPOOL_SYNC), { maxResponseBytes: TX_GOSSIP_MAX_BYTES, maxItems: MAX_MEMPOOL_SYNC });
      if (!this.peers.get(peer.key)) return;
      // Not one at a time: each is checked on top of the ones before it and they share journal
      // writes; in slices, so the checks (a signature each) leave the event loop room between them.
      const pending: Promise<AdmissionOutcome>[] = [];
      for (let i = 0; i < answer.items.length; i += MEMPOOL_SYNC_SLICE) {
        if (i > 0) await new Promise((resolve) => setImmediate(resolve));
        for (const raw of answer.items.slice(i, i + MEMPOOL_SYNC_SLICE)) pending.push(this.options.admission.admit(raw, 'peer'));
      }
      for (const outcome of await Promise.all(pending)) {
        if (outcome.status === 'rejected') {
          const action = actionFor(outcome.penalty);
          if (action) this.penalise(peer.key, action, action === 'fatal' ? 'invalid-tx' : 'malformed');
        }
      }
    } catch (err) {
      if (err instanceof RequestFailure && err.kind === 'malformed') this.penalise(peer.key, 'low', 'malformed');
    }
  }

  // ── scores and bans ──

  private penalise(key: string, action: PeerAction, reason: BanReason): void {
    if (this.bans.isBanned(key)) return;
    const verdict = this.scores.apply(key, action, reason);
    const peer = this.peers.get(key);
    if (verdict === 'ban') {
      this.ban(key, this.banSeconds, reason);
      if (peer) void this.goodbye(peer.id, 'banned');
    } else if (verdict === 'disconnect' && peer) {
      this.options.log.warn(`p2p: disconnecting ${short(key)}: score ${this.scores.score(key).toFixed(0)} (${reason})`);
      void this.goodbye(peer.id, 'score-too-low');
    }
  }

  private ban(key: string, seconds: number, reason: BanReason): Ban {
    const ban = this.bans.ban(key, seconds, reason);
    this.options.metrics.peerBanned(reason);
    this.options.log.warn(`p2p: banned ${short(key)} for ${seconds} s (${reason})`);
    return ban;
  }

  // ── blocks ──

  /** A block is on disk: announce it if it is ours, and submit the pending blocks waiting for it. */
  private blockStored(hash: string, source: string): void {
    if (source !== 'peer') {
      const info = this.options.chain.blockByHash(hash);
      if (info) void this.gossip.publishBlock(encodeBlock(info.block));
    }
    for (const child of this.pending.takeChildren(hash)) void this.submitPending(child.hash, child.bytes, child.from);
  }

  private async submitPending(hash: string, bytes: Uint8Array, from: string): Promise<void> {
    const result: SubmitResult = await this.options.chain.submitBlock(bytes, 'peer');
    this.gossip.pendingSubmitted(hash, result);
    if (result.status === 'accepted') this.sawBlockFrom(from, hash);
  }

  private sawBlockFrom(key: string, hash: string): void {
    const peer = this.peers.get(key);
    const info = this.options.chain.blockByHash(hash);
    if (peer?.status && info && info.totalWork > peer.status.totalWork) {
      peer.status = { ...peer.status, tipHash: hash, height: info.height, totalWork: info.totalWork };
    }
  }

  // ── upkeep ──

  private heartbeat(): void {
    const now = Date.now();
    if (now - this.orphansAskedAt >= ORPHANS_EVERY_MS) {
      // Blocks still waiting for a parent: ask whoever sent them for headers again, now and then.
      this.orphansAskedAt = now;
      for (const peer of this.pending.sendersWaitingOn(this.pending.missingParents())) if (this.peers.get(peer)) this.syncer.headersWanted(peer);
    }
    for (const peer of this.peers.admitted()) {
      if (this.scores.verdict(peer.key) !== 'keep') {
        // Back too soon after being disconnected: its score has not recovered yet.
        void this.goodbye(peer.id, 'score-too-low');
        continue;
      }
      const gossipOnly = this.host.services.pubsub.getScore(peer.key) - this.scores.score(peer.key);
      if (gossipOnly < GOSSIP_GRAYLIST) this.penalise(peer.key, 'low', 'gossip-score');
      if (now - (this.lastStatusAt.get(peer.key) ?? 0) >= STATUS_EVERY_MS) void this.refreshStatus(peer).catch(() => undefined);
      if (now - (this.lastPingAt.get(peer.key) ?? 0) >= PING_EVERY_MS) void this.ping(peer);
      this.maybeSyncMempool(peer);
    }
  }

  private async ping(peer: ConnectedPeer): Promise<void> {
    this.lastPingAt.set(peer.key, Date.now());
    const nonce = randomBytes(8).readBigUInt64LE();
    const started = performance.now();
    try {
      const answer = await this.reqresp.request(peer.id, 'ping', encodePing(nonce), { maxResponseBytes: 8 });
      if (decodePing(answer.payload) !== nonce) return this.penalise(peer.key, 'low', 'malformed');
      peer.latencyMs = performance.now() - started;
    } catch (err) {
      if (err instanceof RequestFailure && err.kind === 'timeout') this.penalise(peer.key, 'high', 'unresponsive');
    }
  }

  private keep(addr: Multiaddr, peer = peerOf(addr)): void {
    const key = addr.toString();
    if (this.kept.has(key) || this.kept.size >= MAX_CONFIGURED_PEERS) {
      const known = this.kept.get(key);
      if (known && peer) known.peer = peer;
      return;
    }
    this.kept.set(key, { addr, peer, failing: false });
  }

  /** Redial kept addresses that are not connected (a restart of theirs or ours, a dropped link). */
  private keepConnected(): void {
    if (this.closing) return;
    for (const kept of this.kept.values()) {
      const peer = kept.peer;
      if (peer === this.peerId) continue;
      if (peer !== undefined && (this.peers.get(peer) || this.bans.isBanned(peer) || this.wrongNetwork.has(peer))) continue;
      if (peer === undefined && this.peers.all().some((p) => p.addresses.includes(kept.addr.toString()))) continue;
      void this.host
        .dial(kept.addr, { signal: AbortSignal.timeout(KEEPER_MS - 500) })
        .then((connection) => {
          kept.peer = connection.remotePeer.toString();
          kept.failing = false;
        })
        .catch((err: Error) => {
          if (!kept.failing && !this.closing) this.options.log.warn(`p2p: cannot reach ${kept.addr.toString()} (${err.message}); retrying every ${KEEPER_MS / 1000} s`);
          kept.failing = true;
        });
    }
  }

  private every(ms: number, fn: () => void): void {
    const timer = setInterval(() => {
      try {
        fn();
      } catch (err) {
        this.options.log.warn(`p2p: ${(err as Error).message}`);
      }
    }, ms);
    timer.unref();
    this.timers.push(timer);
  }
}

export function isLoopbackHost(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

function peerOf(addr: Multiaddr): string | undefined {
  return addr.getComponents().find((c) => c.name === 'p2p')?.value;
}

export function short(peer: string): string {
  return peer.length > 16 ? `${peer.slice(0, 8)}…${peer.slice(-6)}` : peer;
}

export type { ReqRespName };
