import { toHex } from '../chain/hash.js';
import { difficulty } from '../chain/target.js';
import type { BlockTemplate } from '../chain/template.js';
import type { PublishedJob } from '../chain/template.js';
import type { StratumHeaderFields } from './header-assembly.js';
import { prevHashToStratum, targetWords, u32Hex } from './protocol.js';

/** A job as the coinbase of one payout key sees it: what a session paying that key is sent and checked against. */
export interface RecipientWork {
  /** The publisher's template paying this key: blockFor builds the block a share solves. */
  template: BlockTemplate;
  coinb1: Uint8Array;
  coinb2: Uint8Array;
  /** mining.notify's params after the job id, serialized once: `"prevhash","coinb1","coinb2",[branch],"version","nbits","ntime"`. */
  notifyParams: string;
}

/** A publisher job kept for Stratum: decoded once, for every session that mines it. */
export class ServerJob {
  readonly id: number;
  readonly clean: boolean;
  readonly template: BlockTemplate;
  readonly fields: StratumHeaderFields;
  readonly ntime: number;
  /** Difficulty of the block target: no session's share difficulty goes above it. */
  readonly networkDifficulty: number;
  readonly networkTarget: Uint32Array;
  /** The tip moved on: a share for it is stale (its block, if any, is still offered to the chain). */
  stale = false;
  /** When a newer job replaced it (ms), or null while it is the newest. */
  supersededAt: number | null = null;
  /** Dropped from the registry: shares for it are for an unknown job. */
  retired = false;
  private readonly byRecipient = new Map<string, RecipientWork>();
  private readonly commonTail: string;
  private readonly prevHashHex: string;

  constructor(job: PublishedJob) {
    const t = job.template;
    this.id = job.id;
    this.clean = job.clean;
    this.template = t;
    this.ntime = t.fields.time;
    this.fields = { prevHash: t.fields.prevHash, version: t.fields.version, bits: t.fields.bits, merkleBranch: t.branch };
    this.networkDifficulty = difficulty(t.targetValue);
    this.networkTarget = targetWords(t.targetValue);
    this.prevHashHex = prevHashToStratum(t.fields.prevHash);
    this.commonTail = `${JSON.stringify(t.branch.map(toHex))},"${u32Hex(t.fields.version)}","${u32Hex(t.fields.bits)}","${u32Hex(t.fields.time)}"`;
  }

  /** The work for sessions paying `recipient` (hex): built once per key, the transactions shared. */
  forRecipient(recipient: string): RecipientWork {
    let work = this.byRecipient.get(recipient);
    if (!work) {
      const template = this.template.forRecipient(recipient);
      const { coinb1, coinb2 } = template.stratumParts();
      work = { template, coinb1, coinb2, notifyParams: `"${this.prevHashHex}","${toHex(coinb1)}","${toHex(coinb2)}",${this.commonTail}` };
      this.byRecipient.set(recipient, work);
    }
    return work;
  }
}

export interface JobRegistryOptions {
  /** How long a replaced job still takes shares (default 60 s): work in flight when it was replaced. */
  retireMs?: number;
  /** Jobs kept at most (default 32): a transaction storm must not grow memory. */
  maxJobs?: number;
  now?: () => number;
}

/** The jobs Stratum sessions may submit shares for: the newest, and for a while the ones before it. */
export class JobRegistry {
  private readonly jobs: ServerJob[] = [];
  private readonly retireMs: number;
  private readonly maxJobs: number;
  private readonly now: () => number;

  constructor(options: JobRegistryOptions = {}) {
    this.retireMs = options.retireMs ?? 60_000;
    this.maxJobs = options.maxJobs ?? 32;
    this.now = options.now ?? Date.now;
  }

  /** The publisher's newest job; a clean one makes every earlier job stale. */
  add(job: PublishedJob): ServerJob {
    const at = this.now();
    const entry = new ServerJob(job);
    for (const old of this.jobs) {
      old.supersededAt ??= at;
      if (entry.clean) old.stale = true;
    }
    this.jobs.push(entry);
    this.prune(at);
    return entry;
  }

  get current(): ServerJob | null {
    return this.jobs.at(-1) ?? null;
  }

  /** Whether a share for this job is still looked at (the newest, or replaced less than retireMs ago). */
  isLive(job: ServerJob): boolean {
    if (job.retired) return false;
    return job.supersededAt === null || this.now() - job.supersededAt < this.retireMs;
  }

  private prune(at: number): void {
    while (this.jobs.length > this.maxJobs || (this.jobs.length > 1 && at - this.jobs[0]!.supersededAt! >= this.retireMs)) this.jobs.shift()!.retired = true;
  }
}
