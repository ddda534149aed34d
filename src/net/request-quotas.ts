import { MAX_SCORED_PEERS } from './limits.js';
import type { ReqRespName } from './protocols.js';

export interface Quota {
  units: number;
  windowMs: number;
}

/**
 * Per-peer inbound quotas (Lodestar's rate limiter): each peer has, per protocol, a budget of units
 * that refills continuously over the window. A request that does not fit is answered "rate limited"
 * and costs the peer score; it is never queued. A peer's budget outlives its connection (a
 * reconnect is no fresh start); the least recently seen of MAX_SCORED_PEERS peers are forgotten.
 */
export class RequestQuotas {
  private readonly buckets = new Map<string, Map<ReqRespName, { tokens: number; at: number }>>();

  constructor(
    private readonly quotas: Record<ReqRespName, Quota>,
    private readonly now: () => number = Date.now,
  ) {}

  /** Take `units` from the peer's budget for the protocol; false (nothing taken) when they do not fit. */
  take(peer: string, protocol: ReqRespName, units = 1): boolean {
    const quota = this.quotas[protocol];
    let perPeer = this.buckets.get(peer);
    if (perPeer) this.buckets.delete(peer); // re-inserted below: the map's order is recency
    else perPeer = new Map();
    this.buckets.set(peer, perPeer);
    if (this.buckets.size > MAX_SCORED_PEERS) this.buckets.delete(this.buckets.keys().next().value!);
    const now = this.now();
    const bucket = perPeer.get(protocol) ?? { tokens: quota.units, at: now };
    bucket.tokens = Math.min(quota.units, bucket.tokens + ((now - bucket.at) * quota.units) / quota.windowMs);
    bucket.at = now;
    perPeer.set(protocol, bucket);
    if (units > bucket.tokens) return false;
    bucket.tokens -= units;
    return true;
  }

  forget(peer: string): void {
    this.buckets.delete(peer);
  }
}
