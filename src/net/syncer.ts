import type { Chain } from '../chain/chain.js';
import { MAX_HEADERS } from '../chain/chain.js';
import { encodeHeader, HEADER_BYTES, type BlockHeader } from '../chain/header.js';
import { sha256d, toDisplayHex } from '../chain/hash.js';
import type { NetLog } from './network-recorder.js';
import { BlockBuffer } from './block-buffer.js';
import { blockHashOf } from './gossip.js';
import { MAX_BLOCKS_PER_REQUEST, MAX_LOCATOR_HASHES, SYNC_BUFFER_BYTES, SYNC_STALL_MS, SYNC_WINDOW_BLOCKS } from './limits.js';
import { PeerBook, type ConnectedPeer } from './peer-book.js';
import { actionFor, type PeerAction } from './peer-scores.js';
import type { PendingBlocks } from './pending-blocks.js';
import { RequestFailure, type ReqResp } from './reqresp.js';
import type { BanReason } from './ban-list.js';
import { decodeHeaders, encodeHashList, encodeHeadersRequest } from './wire.js';

export interface SyncerOptions {
  chain: Chain;
  reqresp: ReqResp;
  peers: PeerBook;
  pending: PendingBlocks;
  penalise(peer: string, action: PeerAction, reason: BanReason): void;
  log: NetLog;
  now?: () => number;
}

export interface SyncProgress {
  state: 'syncing' | 'synced';
  bestHeaderHeight: number;
  /** Blocks of the best header chain whose bodies are not stored yet. */
  blocksRemaining: number;
  /** Blocks connected per second over the last 10 s (null until there is a rate to show). */
  blocksPerSecond: number | null;
  etaSeconds: number | null;
}

/** Body requests one peer may have open at once (the rest of its request budget is for everything else). */
const BLOCK_REQUESTS_PER_PEER = 2;
/** Header rounds one sync run may take (2000 headers each): bounded, and re-armed by the next status. */
const MAX_HEADER_ROUNDS = 500;
const TICK_MS = 100;
const RATE_WINDOW_MS = 10_000;

/**
 * Headers-first sync (bcoin's pool, Bitcoin Core's headers-first): whenever a peer advertises more
 * total work than the best header chain known here, or gossips a block whose parent is unknown,
 * fetch headers from it, 2000 at a time, and have the chain validate them as a chain before any body.
 * Then download the best header chain's missing bodies from every useful peer in parallel, a bounded
 * window ahead of the tip, re-requesting elsewhere what a peer does not have or stalls on, and
 * connect them strictly in order (bodies that arrive early wait in a bounded buffer). A reorg to a
 * heavier branch is the same path: its headers win, its bodies are fetched, the chain switches.
 * Close to the tip there is nothing to do: gossip brings each new block.
 */
export class Syncer {
  private readonly buffer = new BlockBuffer();
  /** Bodies requested: hash → the peer asked and when. */
  private readonly inFlight = new Map<string, { peer: string; at: number }>();
  private readonly wantHeaders = new Set<string>();
  private headersFrom: string | undefined;
  private connecting = false;
  private timer: NodeJS.Timeout | undefined;
  private readonly connectedAt: number[] = [];
  private readonly now: () => number;
  private stopped = false;

  constructor(private readonly options: SyncerOptions) {
    this.now = options.now ?? Date.now;
  }

  start(): void {
    this.timer = setInterval(() => this.tick(), TICK_MS);
    this.timer.unref();
  }

  stop(): void {
    this.stopped = true;
    clearInterval(this.timer);
  }

  /** A peer's status is known or changed: sync from it if it knows more work. */
  peerStatus(peer: ConnectedPeer): void {
    if (peer.status && peer.status.totalWork > this.options.chain.bestHeader().totalWork) this.wantHeaders.add(peer.key);
  }

  /** Ask this peer for headers (it gossiped a block whose ancestors are unknown here). */
  headersWanted(peer: string): void {
    this.wantHeaders.add(peer);
  }

  /** A peer left: what it was asked for is asked elsewhere on the next tick. */
  peerGone(peer: string): void {
    this.wantHeaders.delete(peer);
    for (const [hash, request] of this.inFlight) if (request.peer === peer) this.inFlight.delete(hash);
  }

  progress(): SyncProgress {
    const { chain, peers } = this.options;
    const best = chain.bestHeader();
    const tip = chain.tip();
    const remaining = Math.max(0, best.height - tip.height);
    const ahead = peers.admitted().some((p) => p.status!.totalWork > best.totalWork);
    const syncing = remaining > 0 || ahead || this.headersFrom !== undefined;
    const rate = this.rate();
    return {
      state: syncing ? 'syncing' : 'synced',
      bestHeaderHeight: best.height,
      blocksRemaining: remaining,
      blocksPerSecond: rate,
      etaSeconds: rate && remaining > 0 ? Math.round(remaining / rate) : null,
    };
  }

  /** Run one round now (tests and events; the timer runs it every 100 ms anyway). */
  tick(): void {
    if (this.stopped) return;
    this.startHeaders();
    this.requestBodies();
    void this.connect();
  }

  // ── headers ──

  private startHeaders(): void {
    if (this.headersFrom !== undefined) return;
    const { peers, chain } = this.options;
    const best = chain.bestHeader().totalWork;
    for (const key of this.wantHeaders) {
      const peer = peers.get(key);
      this.wantHeaders.delete(key);
      if (peer?.admitted) return void this.fetchHeaders(peer);
    }
    const ahead = peers.admitted().find((p) => p.status!.totalWork > best);
    if (ahead) void this.fetchHeaders(ahead);
  }

  private async fetchHeaders(peer: ConnectedPeer): Promise<void> {
    const { chain, reqresp, penalise, log } = this.options;
    this.headersFrom = peer.key;
    try {
      for (let round = 0; round < MAX_HEADER_ROUNDS && !this.stopped; round++) {
        const answer = await reqresp.request(peer.id, 'headers', encodeHeadersRequest({ locator: this.locator() }), { maxResponseBytes: MAX_HEADERS * HEADER_BYTES });
        const headers = decodeHeaders(answer.payload, MAX_HEADERS);
        if (headers.length === 0) break;
        const result = await chain.submitHeaders(headers, 'peer');
        if (result.status === 'rejected') {
          const action = actionFor(result.penalty);
          if (action) penalise(peer.key, action, 'invalid-headers');
          log.warn(`p2p: headers from ${short(peer.key)} rejected at ${result.index} (${result.reason}: ${result.message})`);
          break;
        }
        this.noteHeight(peer, headers.length > 0 ? blockHashOfHeader(headers[headers.length - 1]!) : undefined);
        this.requestBodies();
        if (headers.length < MAX_HEADERS || result.added === 0) break;
      }
    } catch (err) {
      if (err instanceof RequestFailure) {
        if (err.kind === 'timeout') penalise(peer.key, 'high', 'unresponsive');
        if (err.kind === 'malformed') penalise(peer.key, 'low', 'malformed');
      } else if ((err as { reason?: string }).reason === 'malformed') {
        penalise(peer.key, 'low', 'malformed');
      } else {
        log.warn(`p2p: header sync with ${short(peer.key)}: ${(err as Error).message}`);
      }
    } finally {
      this.headersFrom = undefined;
    }
  }

  /** A peer that gave us headers has those blocks, whatever its last status said. */
  private noteHeight(peer: ConnectedPeer, lastHash: string | undefined): void {
    const height = lastHash === undefined ? undefined : this.options.chain.header(lastHash)?.height;
    if (peer.status && height !== undefined && height > peer.status.height) peer.status = { ...peer.status, height, tipHash: lastHash! };
  }

  /**
   * A locator from the best header (not the tip): dense near it, exponentially sparse, genesis
   * last, so a peer continues after the headers already here even before their bodies are.
   */
  private locator(): string[] {
    const { chain } = this.options;
    const hashes: string[] = [];
    let hash: string | undefined = chain.bestHeader().hash;
    let step = 1;
    let skip = 0;
    while (hash !== undefined && hashes.length < MAX_LOCATOR_HASHES - 1) {
      const entry = chain.header(hash);
      if (!entry) break;
      if (entry.mainChain) {
        // Below the fork with the main chain the chain's own locator is the same, and cheaper.
        for (const h of chain.locator()) {
          if (hashes.length >= MAX_LOCATOR_HASHES) break;
          const height = chain.header(h)?.height ?? 0;
          if (height <= entry.height && !hashes.includes(h)) hashes.push(h);
        }
        return hashes;
      }
      if (skip === 0) {
        hashes.push(hash);
        if (hashes.length >= 10) step *= 2;
        skip = step;
      }
      skip--;
      hash = parentOf(entry.header.prevHash);
    }
    hashes.push(chain.network.genesisHash);
    return hashes;
  }

  // ── bodies ──

  private requestBodies(): void {
    const { chain, pending, peers } = this.options;
    const missing = chain.missingBodies(SYNC_WINDOW_BLOCKS);
    if (missing.length === 0) {
      this.buffer.retainOnly(new Set());
      return;
    }
    this.buffer.retainOnly(new Set(missing.map((m) => m.hash)));
    const now = this.now();
    const first = missing[0]!;
    const stalled = this.inFlight.get(first.hash);
    if (stalled && now - stalled.at > SYNC_STALL_MS) {
      // The window cannot move until this body comes: ask someone else, and note the slow peer.
      this.inFlight.delete(first.hash);
      const slow = peers.get(stalled.peer);
      if (slow) PeerBook.noteLacking(slow, first.hash, now);
      this.options.penalise(stalled.peer, 'high', 'unresponsive');
    }
    let batch: { hash: string; height: number }[] = [];
    for (const m of missing) {
      if (this.buffer.has(m.hash) || this.inFlight.has(m.hash) || chain.has(m.hash)) continue;
      const held = pending.take(m.hash);
      if (held) {
        this.buffer.put(m.hash, { bytes: held.bytes, from: held.from });
        continue;
      }
      if (this.buffer.bytes >= SYNC_BUFFER_BYTES) break;
      batch.push(m);
      if (batch.length === MAX_BLOCKS_PER_REQUEST) {
        if (!this.dispatch(batch)) return;
        batch = [];
      }
    }
    if (batch.length > 0) this.dispatch(batch);
  }

  /** Give a batch to the least busy peer that can have it; false when no peer can take it now. */
  private dispatch(batch: { hash: string; height: number }[]): boolean {
    const { peers, reqresp } = this.options;
    const top = batch[batch.length - 1]!.height;
    const candidates = peers
      .admitted()
      .filter((p) => p.status!.height >= batch[0]!.height && !batch.some((b) => PeerBook.lacks(p, b.hash, this.now())))
      .map((p) => ({ p, busy: this.bodyRequests(p.key), tall: p.status!.height >= top }))
      .filter((c) => c.busy < BLOCK_REQUESTS_PER_PEER && reqresp.requestsInFlight(c.p.key) < 4)
      .sort((a, b) => Number(b.tall) - Number(a.tall) || a.busy - b.busy);
    const chosen = candidates[0]?.p;
    if (!chosen) return false;
    void this.fetchBodies(chosen, batch.map((b) => b.hash));
    return true;
  }

  private bodyRequests(peer: string): number {
    const batches = new Set<number>();
    for (const r of this.inFlight.values()) if (r.peer === peer) batches.add(r.at);
    return batches.size;
  }

  private async fetchBodies(peer: ConnectedPeer, hashes: string[]): Promise<void> {
    const { reqresp, penalise, chain } = this.options;
    const at = this.now() + Math.random(); // distinct per batch (bodyRequests counts batches by it)
    for (const hash of hashes) this.inFlight.set(hash, { peer: peer.key, at });
    const asked = new Set(hashes);
    try {
      const answer = await reqresp.request(peer.id, 'blocks', encodeHashList(hashes), { maxResponseBytes: chain.network.maxBlockBytes, maxItems: hashes.length });
      for (const bytes of answer.items) {
        const hash = bytes.length >= HEADER_BYTES ? blockHashOf(bytes) : undefined;
        if (hash === undefined || !asked.delete(hash)) {
          penalise(peer.key, 'low', 'malformed'); // a block nobody asked for
          continue;
        }
        this.buffer.put(hash, { bytes, from: peer.key });
      }
      for (const hash of asked) PeerBook.noteLacking(peer, hash, this.now());
    } catch (err) {
      if (err instanceof RequestFailure) {
        if (err.kind === 'timeout') penalise(peer.key, 'mid', 'unresponsive');
        if (err.kind === 'malformed') penalise(peer.key, 'low', 'malformed');
      }
    } finally {
      for (const hash of hashes) if (this.inFlight.get(hash)?.peer === peer.key && this.inFlight.get(hash)?.at === at) this.inFlight.delete(hash);
      if (!this.stopped) this.tick();
    }
  }

  /** Connect buffered bodies in chain order, one at a time, as long as the next one is here. */
  private async connect(): Promise<void> {
    if (this.connecting) return;
    this.connecting = true;
    const { chain, penalise, peers } = this.options;
    try {
      for (let progressed = true; progressed && !this.stopped; ) {
        progressed = false;
        for (const next of chain.missingBodies(64)) {
          const body = this.buffer.take(next.hash);
          if (!body) break;
          const result = await chain.submitBlock(body.bytes, 'peer');
          if (result.status === 'accepted' || result.status === 'duplicate') {
            progressed = true;
            this.connectedAt.push(this.now());
            continue;
          }
          if (result.status === 'busy') {
            this.buffer.put(next.hash, body); // the queue is full of others' blocks: later
            return;
          }
          const action = actionFor(result.penalty);
          if (action) penalise(body.from, action, action === 'fatal' ? 'invalid-block' : 'malformed');
          const sender = peers.get(body.from);
          if (sender) PeerBook.noteLacking(sender, next.hash, this.now()); // a mutated body: get it elsewhere
          break;
        }
      }
    } finally {
      this.connecting = false;
    }
  }

  private rate(): number | null {
    const since = this.now() - RATE_WINDOW_MS;
    while (this.connectedAt.length > 0 && this.connectedAt[0]! < since) this.connectedAt.shift();
    if (this.connectedAt.length < 2) return null;
    const span = Math.max(1, this.now() - this.connectedAt[0]!);
    return (this.connectedAt.length * 1000) / span;
  }
}

function blockHashOfHeader(header: BlockHeader): string {
  return toDisplayHex(sha256d(encodeHeader(header)));
}

function parentOf(prevHash: Uint8Array): string {
  return Buffer.from(prevHash).reverse().toString('hex');
}

function short(peer: string): string {
  return peer.length > 16 ? `${peer.slice(0, 8)}…${peer.slice(-6)}` : peer;
}
