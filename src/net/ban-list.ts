import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { z } from 'zod';
import { writeFileDurably } from '../store/durable-file.js';
import { MAX_BANS } from './limits.js';

export const BANS_FILE = join('p2p', 'bans.json');

/** Why a peer was banned: a small fixed set, so it can label a metric. */
export const BAN_REASONS = ['invalid-block', 'invalid-headers', 'invalid-tx', 'malformed', 'rate-limit', 'unresponsive', 'gossip-score', 'operator'] as const;
export type BanReason = (typeof BAN_REASONS)[number];

export interface Ban {
  peer: string;
  /** Unix ms when the ban ends. */
  until: number;
  reason: BanReason;
}

const bansFile = z.array(z.object({ peer: z.string().min(1).max(128), until: z.number(), reason: z.enum(BAN_REASONS) }));

/**
 * Time-bounded bans by peer id, kept in DATA/p2p/bans.json so a restart does not forgive a peer
 * (bcoin keeps its bans in memory only). The connection gater asks `isBanned` before every dial and
 * every inbound connection. Bounded: past MAX_BANS, the ban that ends soonest goes first.
 */
export class BanList {
  private readonly bans = new Map<string, Ban>();
  private readonly path: string;

  constructor(
    dataDir: string,
    private readonly now: () => number = Date.now,
  ) {
    this.path = join(dataDir, BANS_FILE);
    this.load();
  }

  /** What could not be read when the list was opened (the file is then rewritten without it). */
  loadError: string | undefined;

  isBanned(peer: string): boolean {
    const ban = this.bans.get(peer);
    if (!ban) return false;
    if (ban.until > this.now()) return true;
    this.bans.delete(peer);
    return false;
  }

  /** Ban (or extend the ban of) a peer for `seconds`; written to disk before it returns. */
  ban(peer: string, seconds: number, reason: BanReason): Ban {
    const until = this.now() + seconds * 1000;
    const ban = { peer, until: Math.max(until, this.bans.get(peer)?.until ?? 0), reason };
    this.bans.set(peer, ban);
    this.prune();
    this.save();
    return ban;
  }

  /** Lift a ban (an operator connecting to the peer on purpose); true when there was one. */
  unban(peer: string): boolean {
    if (!this.bans.delete(peer)) return false;
    this.save();
    return true;
  }

  /** Bans still in force, ending soonest first. */
  list(): Ban[] {
    this.prune();
    return [...this.bans.values()].sort((a, b) => a.until - b.until);
  }

  private prune(): void {
    const now = this.now();
    for (const [peer, ban] of this.bans) if (ban.until <= now) this.bans.delete(peer);
    if (this.bans.size <= MAX_BANS) return;
    for (const ban of [...this.bans.values()].sort((a, b) => a.until - b.until).slice(0, this.bans.size - MAX_BANS)) this.bans.delete(ban.peer);
  }

  private load(): void {
    let text: string;
    try {
      text = readFileSync(this.path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.loadError = (err as Error).message;
      return;
    }
    try {
      for (const ban of bansFile.parse(JSON.parse(text))) this.bans.set(ban.peer, ban);
      this.prune();
    } catch (err) {
      // A damaged list is kept aside rather than erased: the bans in it may matter to the operator.
      this.loadError = `${this.path} is not a ban list (${(err as Error).message.split('\n')[0]}); kept as ${this.path}.damaged`;
      writeFileDurably(`${this.path}.damaged`, text);
    }
  }

  private save(): void {
    writeFileDurably(this.path, JSON.stringify(this.list(), null, 1) + '\n');
  }
}
