import type { Chain } from '../chain/chain.js';
import type { BlockTemplate } from '../chain/template.js';
import type { MinerPool } from '../miner/pool.js';
import type { Solution } from '../miner/job.js';
import type { Logger } from './log.js';

export interface MinedBlock {
  hash: string;
  height: number;
  txs: number;
  outcome: 'new-tip' | 'side-branch' | 'reorg';
}

export interface MiningLoopOptions {
  /** Hex public key paid by the coinbase. */
  recipient: string;
  /** New transactions are gathered this long before the template is rebuilt (default 1000 ms). */
  txRefreshMs?: number;
  /** Never mine a block whose time runs further ahead of the local clock than this (default 60 s). */
  maxAheadSeconds?: number;
  /** The local clock in unix seconds. */
  now?: () => number;
  onBlockMined?: (block: MinedBlock) => void;
}

/**
 * The miner's side of the node: templates from the chain tip and mempool become pool jobs, and
 * solutions become blocks submitted through the chain's full validation (written and fsync'd before
 * it accepts). A new tip gives the workers the next job at once; new transactions reach the
 * template within `txRefreshMs`, gathered so a burst of them costs one job switch.
 */
export class MiningLoop {
  private job: { id: number; template: BlockTemplate; solved: boolean } | null = null;
  private nextId = 1;
  private refreshTimer: NodeJS.Timeout | undefined;
  private stopped = false;
  private found = 0;
  private warnedAhead = false;
  private readonly txRefreshMs: number;
  private readonly maxAhead: number;
  private readonly now: () => number;

  constructor(
    private readonly chain: Chain,
    private readonly pool: MinerPool,
    private readonly log: Logger,
    private readonly options: MiningLoopOptions,
  ) {
    this.txRefreshMs = options.txRefreshMs ?? 1000;
    this.maxAhead = options.maxAheadSeconds ?? 60;
    this.now = options.now ?? (() => Date.now() / 1000);
  }

  /** Subscribe to the chain and pool, and hand the pool its first job. */
  start(): void {
    this.chain.on('tip', this.onTip);
    this.chain.on('tx-accepted', this.onTx);
    this.pool.on('solution', this.onSolution);
    this.pool.on('exhausted', this.onExhausted);
    this.pool.on('error', this.onPoolError);
    this.refresh();
  }

  stop(): void {
    this.stopped = true;
    clearTimeout(this.refreshTimer);
    this.chain.off('tip', this.onTip);
    this.chain.off('tx-accepted', this.onTx);
    this.pool.off('solution', this.onSolution);
    this.pool.off('exhausted', this.onExhausted);
    this.pool.off('error', this.onPoolError);
  }

  /** Blocks this node's miner found that the chain accepted. */
  get blocksFound(): number {
    return this.found;
  }

  /** The job the workers are on. */
  currentJob(): { id: number; template: BlockTemplate } | null {
    return this.job;
  }

  /** A fresh template from the tip and mempool, mined from now on (old work dropped by the pool). */
  refresh(): void {
    if (this.stopped) return;
    clearTimeout(this.refreshTimer);
    this.refreshTimer = undefined;
    try {
      const template = this.chain.template(this.options.recipient);
      if (this.holdForClock(template.fields.time)) return;
      const id = this.nextId++;
      this.job = { id, template, solved: false };
      this.pool.setJob({ id, work: template });
    } catch (err) {
      this.log.warn(`miner: cannot build a job: ${(err as Error).message}`);
    }
  }

  /**
   * A block's time must exceed the median of the last 11, so blocks found faster than one a second
   * push timestamps ahead of the clock; past the network's future limit every block would be
   * refused. When the next time would run too far ahead, idle the workers until the clock catches
   * up. (Only the test network gets there: its 1 s spacing cannot see sub-second solve times.)
   */
  private holdForClock(time: number): boolean {
    const wait = time - this.now() - this.maxAhead;
    if (wait <= 0) return false;
    if (!this.warnedAhead) {
      this.warnedAhead = true;
      this.log.warn(`miner: blocks come faster than their timestamps can follow; idling until the clock catches up (at most ${this.maxAhead} s ahead)`);
    }
    this.job = null;
    this.pool.clearJob();
    this.later(Math.max(50, wait * 1000));
    return true;
  }

  /** Rebuild the template after `ms`, unless something rebuilds it first. */
  private later(ms: number): void {
    clearTimeout(this.refreshTimer);
    this.refreshTimer = setTimeout(() => this.refresh(), ms);
  }

  private readonly onTip = (): void => this.refresh();

  private readonly onTx = (): void => {
    if (this.refreshTimer === undefined && !this.stopped) this.refreshTimer = setTimeout(() => this.refresh(), this.txRefreshMs);
  };

  private readonly onExhausted = (): void => this.refresh();

  private readonly onPoolError = (err: Error): void => {
    this.log.warn(`miner: ${err.message}`);
  };

  private readonly onSolution = (solution: Solution): void => {
    const job = this.job;
    // One block per job: an easy target yields many solutions before the next job reaches the workers.
    if (!job || job.id !== solution.jobId || job.solved) return;
    job.solved = true;
    const block = job.template.blockFor(solution.extranonce, solution.nonce);
    this.chain.submitBlock(block, 'miner').then(
      (result) => {
        if (result.status === 'accepted') {
          this.found++;
          this.options.onBlockMined?.({ hash: result.hash, height: result.height, txs: block.txs.length, outcome: result.outcome });
        } else if (result.status === 'rejected') {
          // The chain already counted it (block-rejected); mine on a fresh template rather than a dead one.
          this.log.warn(`miner: own block ${result.hash ?? ''} rejected: ${result.reason}: ${result.message}`);
          if (this.job === job) this.later(1000); // not at once: the same template would fail the same way
        }
      },
      (err: unknown) => {
        this.log.error(`miner: storing a mined block failed: ${(err as Error).message}`);
        if (this.job === job) this.later(1000);
      },
    );
  };
}
