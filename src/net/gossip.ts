import { createHash } from 'node:crypto';
import type { PeerId } from '@libp2p/interface';
import type { Chain } from '../chain/chain.js';
import type { SubmitResult } from '../chain/chain-types.js';
import { toDisplayHex } from '../chain/hash.js';
import { HEADER_BYTES } from '../chain/header.js';
import { sha256d } from '../chain/hash.js';
import type { GossipResult, NetworkRecorder } from './network-recorder.js';
import type { BanReason } from './ban-list.js';
import { GOSSIP_PARENT_WAIT_MS, GOSSIP_TX_VALIDATION_QUEUE, GOSSIP_VALIDATION_QUEUE } from './limits.js';
import type { PeerAction } from './peer-scores.js';
import type { PendingBlocks } from './pending-blocks.js';
import type { TopicName, WireNames } from './protocols.js';
import { decodeTxBatch, encodeTxBatch } from './wire.js';
import type { AdmissionOutcome, TxAdmissionPort as TxAdmission } from '../chain/chain-types.js';

/** The part of @libp2p/gossipsub's GossipSub this module drives (asyncValidation on). */
export interface GossipService {
  subscribe(topic: string): void;
  publish(topic: string, data: Uint8Array): Promise<unknown>;
  reportMessageValidationResult(msgId: string, propagationSource: string, acceptance: 'accept' | 'ignore' | 'reject'): void;
  getScore(peerId: string): number;
  addEventListener(type: 'gossipsub:message', listener: (event: CustomEvent<{ propagationSource: PeerId; msgId: string; msg: { topic: string; data: Uint8Array } }>) => void): void;
  removeEventListener(type: 'gossipsub:message', listener: (event: CustomEvent<{ propagationSource: PeerId; msgId: string; msg: { topic: string; data: Uint8Array } }>) => void): void;
}

export interface GossipOptions {
  pubsub: GossipService;
  names: WireNames;
  chain: Chain;
  admission: TxAdmission;
  pending: PendingBlocks;
  metrics: NetworkRecorder;
  penalise(peer: string, action: PeerAction, reason: BanReason): void;
  /** A peer gossiped a block whose parent is unknown: fetch the ancestors from it. */
  onUnknownParent(peer: string): void;
  /** A peer gossiped a block the chain stored: it has at least that chain. */
  onBlockFrom(peer: string, block: { hash: string; height: number; outcome: string }): void;
  /** Transactions this node stored from a batch it will not relay as it came: announce them in its own. */
  announce(tx: Uint8Array): void;
}

/**
 * Gossipsub message ids: the first 20 bytes of SHA-256(topic ‖ 0x00 ‖ data). With StrictNoSign
 * messages carry no sender or sequence number, so the same block relayed by two peers is one message.
 */
export function messageId(message: { topic: string; data: Uint8Array }): Uint8Array {
  return new Uint8Array(createHash('sha256').update(message.topic).update(Uint8Array.of(0)).update(message.data).digest().subarray(0, 20));
}

/**
 * Block and transaction gossip. Every message is validated before gossipsub may relay it (async
 * validation): a block goes through chain.submitBlock and is ACCEPTed (relayed) only once the chain
 * has stored it; a transaction goes through the admission path. REJECT is for what can never be
 * valid (the chain's fatal and low penalty classes: bad proof of work or signature, malformed), and
 * it costs the sender score; IGNORE for what is merely unwanted (known, stale, too cheap, busy). A
 * block whose parent is unknown waits a moment in the pending pool for its parent; if it arrives in
 * time the block is judged then, otherwise the answer is IGNORE and the fetcher takes over.
 */
export class GossipRelay {
  private readonly validating: Record<TopicName, number> = { block: 0, tx: 0 };
  private txsValidating = 0;
  private readonly waitingForParent = new Map<string, (result: SubmitResult | undefined) => void>();
  private readonly topicOf = new Map<string, TopicName>();
  private readonly onMessage: Parameters<GossipService['addEventListener']>[1];

  constructor(private readonly options: GossipOptions) {
    for (const [name, topic] of Object.entries(options.names.topics)) this.topicOf.set(topic, name as TopicName);
    this.onMessage = (event) => void this.validate(event.detail);
  }

  start(): void {
    const { pubsub, names } = this.options;
    pubsub.addEventListener('gossipsub:message', this.onMessage);
    pubsub.subscribe(names.topics.block);
    pubsub.subscribe(names.topics.tx);
  }

  stop(): void {
    this.options.pubsub.removeEventListener('gossipsub:message', this.onMessage);
    for (const resolve of this.waitingForParent.values()) resolve(undefined);
  }

  /** Announce a block this node stored (from its miner, Stratum or the API). */
  publishBlock(bytes: Uint8Array): Promise<unknown> {
    return this.options.pubsub.publish(this.options.names.topics.block, bytes).catch(() => undefined);
  }

  /** Announce transactions clients gave this node, once they are on disk, as one message (wire.ts encodeTxBatch). */
  publishTransactions(batch: readonly Uint8Array[]): Promise<unknown> {
    return this.options.pubsub.publish(this.options.names.topics.tx, encodeTxBatch(batch)).catch(() => undefined);
  }

  /** A pending block the gossip may be waiting on was submitted after its parent arrived. */
  pendingSubmitted(hash: string, result: SubmitResult): void {
    this.waitingForParent.get(hash)?.(result);
  }

  private async validate({ propagationSource, msgId, msg }: { propagationSource: PeerId; msgId: string; msg: { topic: string; data: Uint8Array } }): Promise<void> {
    const topic = this.topicOf.get(msg.topic);
    const peer = propagationSource.toString();
    let verdict: GossipResult = 'ignore';
    if (topic !== undefined && this.validating[topic] < GOSSIP_VALIDATION_QUEUE) {
      this.validating[topic]++;
      try {
        verdict = topic === 'block' ? await this.validateBlock(peer, msg.data) : await this.validateTx(peer, msg.data);
      } catch {
        verdict = 'ignore'; // our failure, not the sender's
      } finally {
        this.validating[topic]--;
      }
    }
    this.options.pubsub.reportMessageValidationResult(msgId, peer, verdict);
    if (topic !== undefined) this.options.metrics.gossipMessage(topic, verdict);
  }

  private async validateBlock(peer: string, data: Uint8Array): Promise<GossipResult> {
    const { chain, names, penalise } = this.options;
    if (data.length > names.maxMessageBytes.block || data.length < HEADER_BYTES) {
      penalise(peer, 'low', 'malformed');
      return 'reject';
    }
    let result = await chain.submitBlock(data, 'peer');
    if (result.status === 'rejected' && result.reason === 'prev-blk-not-found' && result.hash) {
      const hash = result.hash;
      const parentHash = toDisplayHex(data.subarray(4, 36));
      this.options.pending.add({ hash, parentHash, bytes: data, from: peer });
      this.options.onUnknownParent(peer);
      const later = await this.parentWait(hash);
      if (!later) return 'ignore';
      result = later;
    }
    return this.blockVerdict(peer, result);
  }

  private blockVerdict(peer: string, result: SubmitResult): GossipResult {
    switch (result.status) {
      case 'accepted':
        this.options.onBlockFrom(peer, result);
        return 'accept';
      case 'duplicate':
      case 'busy':
        return 'ignore';
      case 'rejected':
        if (result.penalty === 'none') return 'ignore';
        this.options.penalise(peer, result.penalty, result.penalty === 'fatal' ? 'invalid-block' : 'malformed');
        return 'reject';
    }
  }

  private parentWait(hash: string): Promise<SubmitResult | undefined> {
    if (this.waitingForParent.has(hash)) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      const done = (result: SubmitResult | undefined) => {
        clearTimeout(timer);
        this.waitingForParent.delete(hash);
        resolve(result);
      };
      const timer = setTimeout(() => done(undefined), GOSSIP_PARENT_WAIT_MS);
      this.waitingForParent.set(hash, done);
    });
  }

  /**
   * A batch of transactions, each through the admission path (together, so they share a journal
   * write). One that can never be valid condemns the batch: an honest node checks everything it
   * relays, so the sender made or passed it on unchecked. A batch this node holds all of (new and
   * journaled, or known) is relayed as it came; one with anything it does not hold on disk (too
   * cheap, too early, a failed write) is not — relay means on disk — and the new ones in it go out
   * in this node's own next batch instead. Nothing new at all: dropped without blame.
   */
  private async validateTx(peer: string, data: Uint8Array): Promise<GossipResult> {
    let txs: Uint8Array[];
    try {
      txs = decodeTxBatch(data);
    } catch {
      this.options.penalise(peer, 'low', 'malformed');
      return 'reject';
    }
    if (this.txsValidating + txs.length > GOSSIP_TX_VALIDATION_QUEUE) return 'ignore'; // busy: no blame
    this.txsValidating += txs.length;
    let outcomes: AdmissionOutcome[];
    try {
      outcomes = await Promise.all(txs.map((tx) => this.options.admission.admit(tx, 'peer')));
    } finally {
      this.txsValidating -= txs.length;
    }
    for (const o of outcomes) this.options.metrics.gossipTransaction(o.status);
    const penaltyOf = (o: AdmissionOutcome) => (o.status === 'rejected' ? o.penalty : 'none');
    const worst = outcomes.some((o) => penaltyOf(o) === 'fatal') ? 'fatal' : outcomes.some((o) => penaltyOf(o) === 'low') ? 'low' : null;
    if (worst) {
      this.options.penalise(peer, worst, worst === 'fatal' ? 'invalid-tx' : 'malformed');
      return 'reject';
    }
    const fresh = txs.filter((_, i) => outcomes[i]!.status === 'accepted');
    if (fresh.length === 0) return 'ignore';
    if (outcomes.every((o) => o.status === 'accepted' || o.status === 'known')) return 'accept';
    for (const tx of fresh) this.options.announce(tx);
    return 'ignore';
  }
}

/** A block's hash from its first 80 bytes (display hex), without decoding the rest. */
export function blockHashOf(bytes: Uint8Array): string {
  return toDisplayHex(sha256d(bytes.subarray(0, HEADER_BYTES)));
}
