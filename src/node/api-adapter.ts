import { encodeBlock } from '../chain/block.js';
import type { Chain } from '../chain/chain.js';
import { encodeHeader } from '../chain/header.js';
import { decideConsent } from '../chain/consent-check.js';
import { toDisplayHex } from '../chain/hash.js';
import { difficulty } from '../chain/target.js';
import type { BlockId, ConsentCheckRequest, ConsentPointQuery, NodeApi, SubmitOutcome } from '../http/node-api.js';
import { HttpProblem } from '../http/problem.js';

import type {
  AccessLogPage,
  AccountView,
  AuditEntryView,
  BlockSummary,
  BlockView,
  ConsentCheck,
  ConsentDetail,
  DisconnectView,
  MempoolView,
  MiningSummary,
  NodeStatus,
  PeerSummary,
  PeersView,
  Receipt,
  RecordView,
  StratumView,
  SubjectConsents,
  TransactionLookup,
} from '../http/response-schemas.js';
import { DialFailure, PeerInputError, type P2pNetwork } from '../net/network.js';
import type { NodeMetrics } from '../metrics/registry.js';
import type { NodeStatsSource } from '../metrics/stats-source.js';
import type { HashRates } from '../miner/hashrate.js';
import type { MinerPool } from '../miner/pool.js';
import { MAX_SLOTS } from '../miner/shared.js';
import type { StratumServer } from '../stratum/server.js';
import type { TxAdmission } from './admission.js';
import { accessEntryView, consentCheckView, consentView, enrolmentView, pointOf } from './consent-views.js';
import type { GoneTransaction } from './gone-transactions.js';
import type { MiningLoop } from './mining-loop.js';
import { bitsHex, blockSummary, blockView, transactionView } from './view-mapping.js';

/** What the adapter reads: the ledger, and the miner unless the node runs with --no-mine. */
export interface NodeParts {
  chain: Chain;
  miner: { pool: MinerPool; loop: MiningLoop; kernel: string } | null;
  /** The one door for transactions (journal, then mempool). */
  admission: TxAdmission;
  /** The Stratum server, unless the node runs with --no-stratum. */
  stratum?: StratumServer | null;
  /** performance.now() when the node started. */
  startedAt: number;
  /** Set once the registry exists (it reads this adapter's stats). */
  metrics?: NodeMetrics;
  /** The peer-to-peer network; null with --no-p2p (set once it has started). */
  network?: P2pNetwork | null;
}

const NO_RATES: HashRates = { '10s': null, '60s': null, '15m': null };

/**
 * The HTTP API's NodeApi over the real node, and the metrics' NodeStatsSource: read-only views of
 * the chain and miner, plus transaction admission (acknowledged only once journaled to disk) and
 * the miner controls.
 */
export class NodeApiAdapter implements NodeApi {
  constructor(private readonly parts: NodeParts) {}

  status(): NodeStatus {
    const { chain } = this.parts;
    const tip = chain.tip();
    const mempool = chain.mempoolInfo();
    return {
      network: chain.network.name,
      height: tip.height,
      tip: tip.hash,
      tipTime: tip.header.time,
      // Genesis has a fixed, old timestamp: its "age" would say nothing about this node.
      lastBlockAgeSeconds: tip.height === 0 ? null : Math.max(0, Date.now() / 1000 - tip.header.time),
      difficulty: tip.difficulty,
      bits: bitsHex(tip.header.bits),
      hashrate: this.hashRates(),
      mining: { paused: this.parts.miner?.pool.paused ?? true, threads: this.parts.miner?.pool.threads ?? 0 },
      mempool: { transactions: mempool.count, bytes: mempool.bytes, minFeeRate: chain.mempool.minFeeRate(), held: this.parts.admission.heldCount },
      storage: { journal: this.parts.admission.storageAvailable ? 'ok' : 'failing' },
      uptimeSeconds: this.uptime(),
      ...this.networkStatus(),
    };
  }

  listBlocks(fromHeight: number, limit: number): BlockSummary[] {
    const out: BlockSummary[] = [];
    for (let h = fromHeight; h < fromHeight + limit; h++) {
      const info = this.parts.chain.blockByHeight(h);
      if (!info) break;
      out.push(blockSummary(info));
    }
    return out;
  }

  getBlock(id: BlockId): BlockView | null {
    const info = this.block(id);
    return info ? blockView(info) : null;
  }

  getRawBlock(id: BlockId): Uint8Array | null {
    const info = this.block(id);
    return info ? encodeBlock(info.block) : null;
  }

  listHeaders(fromHeight: number, count: number): Uint8Array {
    return Buffer.concat(this.parts.chain.mainHeaders(fromHeight, count).map(encodeHeader));
  }

  getTransaction(txid: string): TransactionLookup | null {
    const found = this.parts.chain.transaction(txid);
    if (!found) {
      const held = this.parts.admission.heldTransaction(txid);
      if (held) return { tx: transactionView(held.tx), block: null, confirmations: 0, held: { reason: held.reason, since: held.since } };
      const gone = this.parts.admission.goneTransaction(txid);
      if (gone) throw goneProblem(gone);
      return null;
    }
    if (found.status === 'pending') return { tx: transactionView(found.tx), block: null, confirmations: 0 };
    return { tx: transactionView(found.tx), block: { hash: found.blockHash, height: found.height }, confirmations: found.confirmations };
  }

  /** Through the admission path: the 202 is a promise the node keeps across a crash. */
  async submitTransaction(raw: Uint8Array): Promise<SubmitOutcome> {
    const outcome = await this.parts.admission.admit(raw, 'api');
    switch (outcome.status) {
      case 'accepted':
        return { accepted: true, txid: outcome.txid };
      case 'known': {
        const mined = this.parts.chain.transaction(outcome.txid)?.status === 'mined';
        return mined
          ? { accepted: false, reason: 'already-mined', detail: `${outcome.txid} is already in a block` }
          : { accepted: false, reason: 'already-in-mempool', detail: `${outcome.txid} is already pending` };
      }
      case 'rejected':
        return { accepted: false, reason: outcome.reason, detail: outcome.message, ...(outcome.minFeeRate !== undefined ? { extensions: { minFeeRate: outcome.minFeeRate } } : {}) };
      case 'unavailable':
        return { accepted: false, reason: 'storage-unavailable', detail: outcome.message, retryAfterSeconds: outcome.retryAfterSeconds };
    }
  }

  getReceipt(txid: string): Receipt | null {
    const receipt = this.parts.chain.receipt(txid);
    return receipt ? { ...receipt } : null;
  }

  mempool(): MempoolView {
    const { chain } = this.parts;
    const info = chain.mempoolInfo();
    const entries = chain.mempoolEntries().map((e) => ({
      txid: e.txid,
      kind: e.tx.kind,
      size: e.size,
      fee: e.tx.fee,
      feeRate: e.feeRate,
      sender: e.sender,
      addedAt: e.addedAt,
    }));
    return { transactions: info.count, bytes: info.bytes, minFeeRate: chain.mempool.minFeeRate(), entries };
  }

  /** `sequence` is the confirmed one; `pendingSequence` counts the mempool: what a wallet signs next. */
  getAccount(key: string): AccountView {
    const account = this.parts.chain.account(key);
    return {
      key,
      balance: account.balance,
      spendable: account.balance - account.locked,
      immature: account.locked,
      sequence: account.sequence,
      pendingSequence: account.pendingSequence,
    };
  }

  getRecord(txid: string): RecordView | null {
    const record = this.parts.chain.record(txid);
    return record ? { ...record } : null;
  }

  subjectTrail(pseudonym: string): AuditEntryView[] {
    return this.parts.chain.auditTrail(pseudonym).map((e) => ({ ...e }));
  }

  subjectConsents(pseudonym: string, query: ConsentPointQuery): SubjectConsents {
    const { reader, next } = this.parts.chain.consents();
    const at = pointOf(next, query);
    const enrolment = reader.enrolment(pseudonym);
    return { subject: pseudonym, enrolment: enrolment ? enrolmentView(enrolment) : null, at, consents: reader.ofSubject(pseudonym).map((c) => consentView(c, at)) };
  }

  getConsent(txid: string, query: ConsentPointQuery): ConsentDetail | null {
    const { reader, next } = this.parts.chain.consents();
    const consent = reader.consent(txid);
    const at = pointOf(next, query);
    return consent ? { at, consent: consentView(consent, at) } : null;
  }

  checkConsent(query: ConsentCheckRequest): ConsentCheck {
    const { reader, next } = this.parts.chain.consents();
    const at = pointOf(next, query);
    const { subject, grantee, action, resourceType, purpose } = query;
    return consentCheckView(decideConsent(reader, { subject, grantee, action, resourceTypes: [resourceType], ...(purpose ? { purpose } : {}) }, at), at);
  }

  accessLog(pseudonym: string, page: { limit: number; before?: number }): AccessLogPage {
    const { reader } = this.parts.chain.consents();
    const total = reader.accessCount(pseudonym);
    const entries = reader.accessPage(pseudonym, page.before, page.limit);
    const end = Math.min(page.before ?? total, total) - entries.length;
    return { subject: pseudonym, total, entries: entries.map(accessEntryView), next: end > 0 ? end : null };
  }

  mining(): MiningSummary {
    const miner = this.parts.miner;
    const rates = this.hashRates();
    const job = miner?.loop.currentJob();
    const target = job?.template.targetValue;
    return {
      paused: miner?.pool.paused ?? true,
      threads: miner?.pool.threads ?? 0,
      kernel: miner?.kernel ?? 'none',
      hashrate: {
        total: triple(rates),
        highest: miner?.pool.peakHashRate10s ?? null,
        threads: miner?.pool.workerRates().map((w) => triple(w.rates)) ?? [],
      },
      hashesTotal: miner?.pool.totalHashes() ?? 0,
      blocksFound: miner?.loop.blocksFound ?? 0,
      job:
        job && target !== undefined
          ? { id: String(job.id), height: job.template.height, target: toDisplayHex(job.template.target), bits: bitsHex(job.template.fields.bits), difficulty: difficulty(target) }
          : null,
      uptimeSeconds: this.uptime(),
    };
  }

  stratum(): StratumView {
    const server = this.parts.stratum;
    if (!server) return { enabled: false, url: null, sessions: [], hashrate: 0 };
    const sessions = server.sessions();
    return { enabled: true, url: server.url, sessions, hashrate: sessions.reduce((sum, s) => sum + (s.hashrate ?? 0), 0) };
  }

  async pauseMining(): Promise<void> {
    await this.requireMiner().pool.pause();
  }

  resumeMining(): void {
    this.requireMiner().pool.resume();
  }

  async setThreads(threads: number): Promise<void> {
    const { pool } = this.requireMiner();
    if (threads > MAX_SLOTS) throw new HttpProblem(422, 'too-many-threads', 'Too many threads', `the miner runs at most ${MAX_SLOTS} threads`);
    await pool.setThreads(threads);
  }

  async metrics(): Promise<{ contentType: string; body: string }> {
    const metrics = this.parts.metrics;
    if (!metrics) throw new Error('metrics are not set up yet');
    return { contentType: metrics.contentType, body: await metrics.metricsText() };
  }

  peers(): PeersView {
    const network = this.parts.network;
    if (!network) return { enabled: false, id: null, addresses: [], peers: [], banned: [] };
    return {
      enabled: true,
      id: network.peerId,
      addresses: network.multiaddrs(),
      peers: network.peerViews(),
      banned: network.bansInForce().map((b) => ({ id: b.peer, until: new Date(b.until).toISOString(), reason: b.reason })),
    };
  }

  async connectPeer(addr: string): Promise<PeerSummary> {
    try {
      return await this.requireNetwork().connect(addr);
    } catch (err) {
      throw peerProblem(err);
    }
  }

  async disconnectPeer(id: string, banSeconds?: number): Promise<DisconnectView> {
    let done;
    try {
      done = await this.requireNetwork().disconnect(id, banSeconds);
    } catch (err) {
      throw peerProblem(err);
    }
    if (!done.disconnected && done.bannedUntil === null) throw new HttpProblem(404, 'peer-not-connected', 'Peer not connected', `${id} is not connected (add ?ban=SECONDS to ban it anyway)`);
    return { disconnected: done.disconnected, bannedUntil: done.bannedUntil === null ? null : new Date(done.bannedUntil).toISOString() };
  }

  // ── what the metrics read at scrape time (see statsSourceOf) ──

  workerHashes() {
    return this.parts.miner?.pool.workerHashes() ?? [];
  }

  hashRates(): HashRates {
    return this.parts.miner?.pool.hashRates() ?? NO_RATES;
  }

  chainHeight(): number {
    return this.parts.chain.tip().height;
  }

  difficulty(): number {
    return this.parts.chain.tip().difficulty;
  }

  miningWorkers(): number {
    return this.parts.miner?.pool.miningWorkers() ?? 0;
  }

  stratumSessions(): number {
    return this.parts.stratum?.sessionCount ?? 0;
  }

  // NodeApi's mempool() is the full view; the metrics want only the sizes.
  readonly mempoolSize = () => {
    const { count, bytes } = this.parts.chain.mempoolInfo();
    return { transactions: count, bytes, minFeeRate: this.parts.chain.mempool.minFeeRate(), held: this.parts.admission.heldCount };
  };

  private block(id: BlockId) {
    const { chain } = this.parts;
    return 'height' in id ? chain.blockByHeight(id.height) : chain.blockByHash(id.hash);
  }

  private networkStatus(): Pick<NodeStatus, 'peers' | 'sync'> {
    const network = this.parts.network;
    if (!network) return {};
    return { peers: network.peerViews().length, sync: network.syncProgress() };
  }

  private requireNetwork(): P2pNetwork {
    if (!this.parts.network) throw new HttpProblem(409, 'p2p-disabled', 'Peer-to-peer disabled', 'this node was started with --no-p2p');
    return this.parts.network;
  }

  private requireMiner() {
    if (!this.parts.miner) throw new HttpProblem(409, 'mining-disabled', 'Mining disabled', 'this node was started with --no-mine');
    return this.parts.miner;
  }

  private uptime(): number {
    return Math.round((performance.now() - this.parts.startedAt) / 100) / 10;
  }
}

/** 410: the node acknowledged it once and says what became of it. */
function goneProblem(gone: GoneTransaction): HttpProblem {
  if (gone.kind === 'evicted') {
    return new HttpProblem(410, 'evicted', 'Transaction evicted', `${gone.txid} was evicted from the full mempool (${gone.reason}); it paid ${gone.feeRate?.toFixed(3)} per byte, the transaction that took its room ${gone.lostTo?.toFixed(3)}: send it again with a higher fee`, {
      txid: gone.txid, feeRate: gone.feeRate, lostTo: gone.lostTo, at: gone.at,
    });
  }
  return new HttpProblem(410, 'dropped', 'Transaction no longer valid', `${gone.txid} can no longer be mined (${gone.reason}); it is kept in mempool.journal.rejected`, { txid: gone.txid, reason: gone.reason, at: gone.at });
}

/** NodeStatsSource over the adapter (its `mempool` name is taken by the API's full view). */
export function statsSourceOf(adapter: NodeApiAdapter): NodeStatsSource {
  return {
    workerHashes: () => adapter.workerHashes(),
    hashRates: () => adapter.hashRates(),
    chainHeight: () => adapter.chainHeight(),
    difficulty: () => adapter.difficulty(),
    mempool: adapter.mempoolSize,
    miningWorkers: () => adapter.miningWorkers(),
    stratumSessions: () => adapter.stratumSessions(),
  };
}

function peerProblem(err: unknown): unknown {
  if (err instanceof PeerInputError) return new HttpProblem(400, 'invalid-peer', 'Invalid peer', err.message);
  if (err instanceof DialFailure) return new HttpProblem(502, 'peer-unreachable', 'Peer unreachable', err.message);
  return err;
}

function triple(r: HashRates): [number | null, number | null, number | null] {
  return [r['10s'], r['60s'], r['15m']];
}
