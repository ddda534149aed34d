import type { PenaltyClass } from '../chain/errors.js';
import type { BanReason } from './ban-list.js';
import { MAX_SCORED_PEERS } from './limits.js';

/**
 * How bad a thing a peer did was (Lodestar's PeerAction, bcoin's ban score): `fatal` is something
 * no honest node does (a block with bad proof of work, a broken header chain, a bad signature),
 * `low` a malformed message or a wrong answer (tolerated a couple of times), `mid` an abuse of
 * quotas or a request that timed out, `high` a mere annoyance.
 */
export type PeerAction = 'fatal' | 'low' | 'mid' | 'high';

const ACTION_SCORE: Record<PeerAction, number> = { fatal: -100, low: -10, mid: -5, high: -1 };

/** At or below these, the peer is disconnected, then banned. */
export const DISCONNECT_SCORE = -20;
export const BAN_SCORE = -50;
const MIN_SCORE = -100;
const MAX_SCORE = 100;
/** A score halves every 10 minutes, so an honest peer's bad luck is forgiven. */
const HALF_LIFE_MS = 10 * 60 * 1000;

export type ScoreVerdict = 'keep' | 'disconnect' | 'ban';

/** The class of a chain reject, as a peer action (none: no action at all). */
export function actionFor(penalty: PenaltyClass): PeerAction | undefined {
  return penalty === 'none' ? undefined : penalty;
}

/**
 * The application score of every peer the node has met lately, from -100 to 100, decaying towards
 * 0. Gossipsub keeps its own score (mesh behaviour, invalid deliveries); this one is fed by what the
 * chain said about what the peer sent, and by the request/response layer. Bounded in peers.
 */
export class PeerScores {
  private readonly scores = new Map<string, { value: number; at: number; lastReason: BanReason }>();

  constructor(private readonly now: () => number = Date.now) {}

  score(peer: string): number {
    const entry = this.scores.get(peer);
    return entry ? this.decayed(entry) : 0;
  }

  /** Record what a peer did; the verdict says whether to keep it, disconnect it or ban it. */
  apply(peer: string, action: PeerAction, reason: BanReason): ScoreVerdict {
    const value = clamp(this.score(peer) + ACTION_SCORE[action]);
    this.scores.delete(peer); // re-insert: the map's order is the order peers were last scored
    this.scores.set(peer, { value, at: this.now(), lastReason: reason });
    if (this.scores.size > MAX_SCORED_PEERS) this.scores.delete(this.scores.keys().next().value!);
    return verdictOf(value);
  }

  verdict(peer: string): ScoreVerdict {
    return verdictOf(this.score(peer));
  }

  /** The reason of the last action against the peer (what a ban is recorded as). */
  lastReason(peer: string): BanReason | undefined {
    return this.scores.get(peer)?.lastReason;
  }

  /** A banned peer's score starts afresh when the ban ends. */
  forget(peer: string): void {
    this.scores.delete(peer);
  }

  private decayed(entry: { value: number; at: number }): number {
    const elapsed = Math.max(0, this.now() - entry.at);
    return entry.value * Math.pow(0.5, elapsed / HALF_LIFE_MS);
  }
}

function verdictOf(score: number): ScoreVerdict {
  if (score <= BAN_SCORE) return 'ban';
  return score <= DISCONNECT_SCORE ? 'disconnect' : 'keep';
}

function clamp(score: number): number {
  return Math.min(MAX_SCORE, Math.max(MIN_SCORE, score));
}
