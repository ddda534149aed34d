import { EventEmitter } from 'node:events';
import type { Chain } from '../chain/chain.js';
import { bytesEqual } from '../chain/hash.js';
import type { BlockTemplate, PublishedJob } from '../chain/template.js';

export type { PublishedJob } from '../chain/template.js';
import type { Logger } from './log.js';

/** A job for every kind of miner: the template to mine, and whether work on earlier jobs is now stale. */
export interface JobPublisherEvents {
  job: [PublishedJob];
  /** Timestamps ran too far ahead of the clock: stop hashing until the next job. */
  hold: [];
}

export interface JobPublisherOptions {
  /** Hex public key paid by the template's coinbase. */
  recipient: string;
  /** New transactions are gathered this long before the template is rebuilt (default 1000 ms). */
  txRefreshMs?: number;
  /** A fresh job at least this often, so ntime moves and Stratum miners never starve (default 30 s). */
  maxJobAgeMs?: number;
  /** Never publish a block whose time runs further ahead of the local clock than this (default 60 s). */
  maxAheadSeconds?: number;
  /** The local clock in unix seconds. */
  now?: () => number;
  /**
   * Whether any miner is on the jobs now (the local pool, or a Stratum session). While none is, new
   * transactions and age do not rebuild the template — with a full mempool a template is tens of
   * milliseconds of work the API would wait behind — and a new tip still does, so the first miner
   * to come gets work on the tip at once (default: always).
   */
  wanted?: () => boolean;
}

/**
 * Decides when a new template is made, for every miner at once (the local pool and Stratum
 * sessions subscribe to 'job'): a new tip gives a clean job at once; new transactions reach the
 * template within `txRefreshMs`, gathered so a burst costs one job; and a job never gets older than
 * `maxJobAgeMs` (cpuminer gives up on a pool after 120 s without a new job id).
 */
export class JobPublisher extends EventEmitter<JobPublisherEvents> {
  private job: PublishedJob | null = null;
  private nextId = 1;
  private txTimer: NodeJS.Timeout | undefined;
  private refreshTimer: NodeJS.Timeout | undefined;
  private started = false;
  private warnedAhead = false;
  private readonly txRefreshMs: number;
  private readonly maxJobAgeMs: number;
  private readonly maxAhead: number;
  private readonly now: () => number;
  private readonly wanted: () => boolean;

  constructor(
    private readonly chain: Chain,
    private readonly log: Logger,
    private readonly options: JobPublisherOptions,
  ) {
    super();
    this.txRefreshMs = options.txRefreshMs ?? 1000;
    this.maxJobAgeMs = options.maxJobAgeMs ?? 30_000;
    this.maxAhead = options.maxAheadSeconds ?? 60;
    this.now = options.now ?? (() => Date.now() / 1000);
    this.wanted = options.wanted ?? (() => true);
  }

  /** Follow the chain and publish the first job. */
  start(): void {
    if (this.started) return;
    this.started = true;
    this.chain.on('tip', this.onTip);
    this.chain.on('tx-accepted', this.onTx);
    this.refresh();
  }

  stop(): void {
    this.started = false;
    clearTimeout(this.txTimer);
    clearTimeout(this.refreshTimer);
    this.txTimer = this.refreshTimer = undefined;
    this.chain.off('tip', this.onTip);
    this.chain.off('tx-accepted', this.onTx);
  }

  /** The job miners should be on (null before the first, or while holding for the clock). */
  current(): PublishedJob | null {
    return this.job;
  }

  /** The coinbase key the templates pay. */
  get recipient(): string {
    return this.options.recipient;
  }

  /** A fresh template from the tip and mempool, published now. */
  refresh(): void {
    if (!this.started) return;
    clearTimeout(this.txTimer);
    clearTimeout(this.refreshTimer);
    this.txTimer = this.refreshTimer = undefined;
    let template: BlockTemplate;
    try {
      template = this.chain.template(this.options.recipient);
    } catch (err) {
      this.log.warn(`jobs: cannot build a template: ${(err as Error).message}`);
      this.refreshIn(1000);
      return;
    }
    if (this.holdForClock(template.fields.time)) return;
    const previous = this.job;
    const clean = !previous || !bytesEqual(previous.template.fields.prevHash, template.fields.prevHash);
    this.job = { id: this.nextId++, template, clean };
    this.refreshIn(this.maxJobAgeMs);
    this.emit('job', this.job);
  }

  /** Publish a fresh job after `ms`, unless something publishes one first. */
  refreshIn(ms: number): void {
    if (!this.started) return;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => (this.wanted() ? this.refresh() : this.refreshIn(ms)), ms);
  }

  /**
   * A block's time must exceed the median of the last 11, so blocks found faster than one a second
   * push timestamps ahead of the clock; past the network's future limit every block would be
   * refused. When the next time would run too far ahead, hold until the clock catches up. (Only the
   * test network gets there: its 1 s spacing cannot see sub-second solve times.)
   */
  private holdForClock(time: number): boolean {
    const wait = time - this.now() - this.maxAhead;
    if (wait <= 0) return false;
    if (!this.warnedAhead) {
      this.warnedAhead = true;
      this.log.warn(`miner: blocks come faster than their timestamps can follow; idling until the clock catches up (at most ${this.maxAhead} s ahead)`);
    }
    this.job = null;
    this.refreshIn(Math.max(50, wait * 1000));
    this.emit('hold');
    return true;
  }

  private readonly onTip = (): void => this.refresh();

  private readonly onTx = (): void => {
    if (this.txTimer === undefined && this.started) this.txTimer = setTimeout(() => this.refreshForTransactions(), this.txRefreshMs);
  };

  /** New transactions: into the template if a miner is on it, else at the next moment one is. */
  private refreshForTransactions(): void {
    this.txTimer = undefined;
    if (this.wanted()) this.refresh();
    else this.refreshIn(this.txRefreshMs);
  }
}
