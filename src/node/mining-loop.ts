import type { Chain } from '../chain/chain.js';
import type { BlockTemplate } from '../chain/template.js';
import type { MinerPool } from '../miner/pool.js';
import type { Solution } from '../miner/job.js';
import type { JobPublisher, PublishedJob } from './job-publisher.js';
import type { Logger } from './log.js';

export interface MinedBlock {
  hash: string;
  height: number;
  txs: number;
  outcome: 'new-tip' | 'side-branch' | 'reorg';
}

export interface MiningLoopOptions {
  onBlockMined?: (block: MinedBlock) => void;
}

/**
 * The local pool's side of the node: the publisher's jobs go to the workers, and solutions become
 * blocks submitted through the chain's full validation (written and fsync'd before it accepts).
 * When to make a new job is the publisher's business, shared with the Stratum server.
 */
export class MiningLoop {
  private job: { id: number; template: BlockTemplate; solved: boolean } | null = null;
  private stopped = false;
  private found = 0;

  constructor(
    private readonly chain: Chain,
    private readonly publisher: JobPublisher,
    private readonly pool: MinerPool,
    private readonly log: Logger,
    private readonly options: MiningLoopOptions = {},
  ) {}

  /** Subscribe to the publisher and pool; mine the publisher's current job if it has one. */
  start(): void {
    this.publisher.on('job', this.onJob);
    this.publisher.on('hold', this.onHold);
    this.pool.on('solution', this.onSolution);
    this.pool.on('exhausted', this.onExhausted);
    this.pool.on('error', this.onPoolError);
    const current = this.publisher.current();
    if (current) this.onJob(current);
  }

  stop(): void {
    this.stopped = true;
    this.publisher.off('job', this.onJob);
    this.publisher.off('hold', this.onHold);
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

  private readonly onJob = (job: PublishedJob): void => {
    if (this.stopped) return;
    try {
      this.pool.setJob({ id: job.id, work: job.template });
      this.job = { id: job.id, template: job.template, solved: false };
    } catch (err) {
      this.log.warn(`miner: cannot mine job ${job.id}: ${(err as Error).message}`);
    }
  };

  private readonly onHold = (): void => {
    this.job = null;
    this.pool.clearJob();
  };

  private readonly onExhausted = (): void => this.publisher.refresh();

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
          if (this.job === job) this.publisher.refreshIn(1000); // not at once: the same template would fail the same way
        }
      },
      (err: unknown) => {
        this.log.error(`miner: storing a mined block failed: ${(err as Error).message}`);
        if (this.job === job) this.publisher.refreshIn(1000);
      },
    );
  };
}
