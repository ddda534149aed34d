import type { PeerId } from '@libp2p/interface';
import type { PeerStatus } from './wire.js';

/** What the node knows of one connected peer. */
export interface ConnectedPeer {
  id: PeerId;
  key: string;
  direction: 'inbound' | 'outbound';
  /** Unix ms when the connection opened. */
  since: number;
  addresses: string[];
  /** Its last status (tip, height, work); undefined until the handshake. */
  status: PeerStatus | undefined;
  /** On our network (genesis matches): the data protocols and sync are open to it. */
  admitted: boolean;
  /** Round trip of the last carechain ping, ms. */
  latencyMs: number | undefined;
  /** Blocks it was asked for and did not deliver (another branch, a stall), until when: ask elsewhere meanwhile. */
  lacking: Map<string, number>;
}

const MAX_LACKING = 4_096;
/** How long a peer is not asked again for a block it did not deliver. */
const LACKING_MS = 10_000;

/** The connected peers, by peer id string. */
export class PeerBook {
  private readonly peers = new Map<string, ConnectedPeer>();

  add(id: PeerId, direction: 'inbound' | 'outbound', addresses: string[], now = Date.now()): ConnectedPeer {
    const key = id.toString();
    const known = this.peers.get(key);
    if (known) return known;
    const peer: ConnectedPeer = { id, key, direction, since: now, addresses, status: undefined, admitted: false, latencyMs: undefined, lacking: new Map() };
    this.peers.set(key, peer);
    return peer;
  }

  get(key: string): ConnectedPeer | undefined {
    return this.peers.get(key);
  }

  remove(key: string): ConnectedPeer | undefined {
    const peer = this.peers.get(key);
    this.peers.delete(key);
    return peer;
  }

  all(): ConnectedPeer[] {
    return [...this.peers.values()];
  }

  /** Peers on our network whose status is known: the ones sync may use. */
  admitted(): ConnectedPeer[] {
    return this.all().filter((p) => p.admitted && p.status !== undefined);
  }

  counts(): { inbound: number; outbound: number } {
    let inbound = 0;
    for (const p of this.peers.values()) if (p.direction === 'inbound') inbound++;
    return { inbound, outbound: this.peers.size - inbound };
  }

  /** Note that a peer did not deliver a block (bounded: the notes are dropped when full). */
  static noteLacking(peer: ConnectedPeer, hash: string, now = Date.now()): void {
    if (peer.lacking.size >= MAX_LACKING) peer.lacking.clear();
    peer.lacking.set(hash, now + LACKING_MS);
  }

  /** Whether a peer recently failed to deliver this block. */
  static lacks(peer: ConnectedPeer, hash: string, now = Date.now()): boolean {
    const until = peer.lacking.get(hash);
    if (until === undefined) return false;
    if (until > now) return true;
    peer.lacking.delete(hash);
    return false;
  }
}
