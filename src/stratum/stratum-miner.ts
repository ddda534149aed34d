import { EventEmitter } from 'node:events';
import type { Solution } from '../miner/job.js';
import type { MinerPool } from '../miner/pool.js';
import { PoolConnection, type ShareAnswer } from './pool-connection.js';
import { PoolWork, type PoolJob, type SessionTerms } from './pool-work.js';

export interface StratumMinerOptions {
  /** stratum+tcp://HOST:PORT, tried in order: the first is the pool, the rest fail-overs. */
  urls: string[];
  user: string;
  password: string;
  userAgent?: string;
  /** First wait after every pool failed; doubles up to maxBackoffMs (defaults 1 s and 30 s). */
  backoffMs?: number;
  maxBackoffMs?: number;
  handshakeTimeoutMs?: number;
}

export interface ShareEvent {
  accepted: boolean;
  difficulty: number;
  /** The share's hash met the job's block target too. */
  block: boolean;
  /** The pool's reason for a rejection. */
  reason?: string;
  url: string;
}

export interface StratumMinerEvents {
  connected: [{ url: string; extranonce1: string | null }];
  disconnected: [{ url: string; reason: string }];
  /** Every pool failed this round; the next try is in `retryInMs`. */
  unreachable: [{ errors: string[]; retryInMs: number }];
  job: [{ url: string; jobId: string; clean: boolean; difficulty: number }];
  share: [ShareEvent];
  message: [string];
}

export interface StratumMinerStats {
  url: string | null;
  connected: boolean;
  difficulty: number | null;
  jobId: string | null;
  accepted: number;
  rejected: number;
  /** Sum of the difficulty of accepted shares (× 2^32 = the hashes the pool has credited). */
  acceptedDifficulty: number;
  /** Shares whose hash also met the job's block target (the pool decides what becomes of them). */
  blocksFound: number;
  reconnects: number;
  lastShareAt: number | null;
}

/** Jobs remembered for late solutions: a share for an older job of the same pool is still worth sending. */
const JOBS_KEPT = 8;

/**
 * `carechain mine`'s engine: the node's MinerPool on jobs from a Stratum v1 pool, with fail-over
 * through the pools in order (every reconnect starts again from the first) and backoff when all
 * of them fail. A clean job reaches the workers within one scan slice (pool.setJob); shares go back
 * as mining.submit and the pool's answers are counted.
 */
export class StratumMiner extends EventEmitter<StratumMinerEvents> {
  private connection: PoolConnection | null = null;
  private readonly jobs = new Map<number, { work: PoolWork; connection: PoolConnection }>();
  private nextJob = 1;
  private running = false;
  private wake: (() => void) | null = null;
  private loop: Promise<void> | null = null;
  private readonly counts = { accepted: 0, rejected: 0, acceptedDifficulty: 0, blocksFound: 0, reconnects: 0, lastShareAt: null as number | null };
  private current: { jobId: string; difficulty: number; work: PoolWork } | null = null;

  constructor(
    private readonly pool: MinerPool,
    private readonly options: StratumMinerOptions,
  ) {
    super();
    if (options.urls.length === 0) throw new RangeError('at least one pool URL');
  }

  start(): void {
    if (this.running) return;
    this.running = true;
    this.pool.on('solution', this.onSolution);
    this.loop = this.run();
  }

  /** Close the connection and stop mining (the pool itself is the caller's to close). */
  async stop(): Promise<void> {
    this.running = false;
    this.pool.off('solution', this.onSolution);
    this.connection?.close();
    this.wake?.();
    await this.loop;
    this.pool.clearJob();
  }

  stats(): StratumMinerStats {
    return {
      url: this.connection?.url ?? null,
      connected: this.connection !== null,
      difficulty: this.current?.difficulty ?? null,
      jobId: this.current?.jobId ?? null,
      ...this.counts,
    };
  }

  /** The job the workers are on: the pool's id, its nbits, the share target and difficulty. */
  currentJob(): { jobId: string; bits: number; target: Uint8Array; difficulty: number } | null {
    const c = this.current;
    return c && { jobId: c.jobId, bits: c.work.job.bits, target: c.work.target, difficulty: c.difficulty };
  }

  private async run(): Promise<void> {
    const first = this.options.backoffMs ?? 1000;
    let backoff = first;
    while (this.running) {
      const errors: string[] = [];
      let connection: PoolConnection | null = null;
      for (const url of this.options.urls) {
        try {
          connection = await PoolConnection.open(url, {
            user: this.options.user,
            password: this.options.password,
            userAgent: this.options.userAgent ?? 'carechain-mine/0.1',
            ...(this.options.handshakeTimeoutMs ? { handshakeTimeoutMs: this.options.handshakeTimeoutMs } : {}),
          });
          break;
        } catch (err) {
          errors.push(`${url}: ${(err as Error).message}`);
          if (!this.running) return;
        }
      }
      if (!this.running) return connection?.close();
      if (connection) {
        const since = Date.now();
        const reason = await this.mine(connection);
        this.counts.reconnects++;
        this.emit('disconnected', { url: connection.url, reason });
        // A pool that lasted a while is worth trying again at once; one that drops us straight away is not.
        if (Date.now() - since >= 30_000) {
          backoff = first;
          continue;
        }
      } else {
        this.emit('unreachable', { errors, retryInMs: backoff });
      }
      await this.sleep(backoff);
      backoff = Math.min(backoff * 2, this.options.maxBackoffMs ?? 30_000);
    }
  }

  private sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const timer = setTimeout(done, ms);
      this.wake = done;
      function done() {
        clearTimeout(timer);
        resolve();
      }
    }).finally(() => (this.wake = null));
  }

  /** Mine one connection's jobs until it closes; resolves with why it closed. */
  private mine(connection: PoolConnection): Promise<string> {
    this.connection = connection;
    this.emit('connected', { url: connection.url, extranonce1: connection.extranonce1 });
    connection.on('job', (job, terms) => this.onJob(connection, job, terms));
    connection.on('message', (text) => this.emit('message', text));
    if (connection.latest) this.onJob(connection, connection.latest.job, connection.latest.terms);
    return new Promise((resolve) => {
      connection.once('close', (reason) => {
        if (this.connection === connection) {
          this.connection = null;
          this.current = null;
          this.pool.clearJob(); // its work is worth nothing to another pool
        }
        resolve(reason);
      });
    });
  }

  private onJob(connection: PoolConnection, job: PoolJob, terms: SessionTerms): void {
    if (this.connection !== connection) return;
    let work: PoolWork;
    try {
      work = new PoolWork(job, terms);
    } catch (err) {
      this.emit('message', `job ${job.jobId} cannot be mined: ${(err as Error).message}`);
      return;
    }
    const id = this.nextJob++;
    this.jobs.set(id, { work, connection });
    if (this.jobs.size > JOBS_KEPT) this.jobs.delete(this.jobs.keys().next().value!);
    this.pool.setJob({ id, work, extranonceCount: work.extranonceCount });
    this.current = { jobId: job.jobId, difficulty: terms.difficulty, work };
    this.emit('job', { url: connection.url, jobId: job.jobId, clean: job.clean, difficulty: terms.difficulty });
  }

  private readonly onSolution = (solution: Solution): void => {
    const entry = this.jobs.get(solution.jobId as number);
    if (!entry || entry.connection !== this.connection) return; // from a pool we have left
    const { work, connection } = entry;
    const block = work.isBlock(solution.hash);
    if (block) this.counts.blocksFound++;
    const params = [this.options.user, work.job.jobId, ...work.submitParams(solution.extranonce, solution.nonce)];
    void connection.submit(params).then((answer: ShareAnswer) => {
      const difficulty = work.terms.difficulty;
      if (answer.accepted) {
        this.counts.accepted++;
        this.counts.acceptedDifficulty += difficulty;
        this.counts.lastShareAt = Date.now();
      } else {
        this.counts.rejected++;
      }
      this.emit('share', { accepted: answer.accepted, difficulty, block, url: connection.url, ...(answer.accepted ? {} : { reason: answer.reason }) });
    });
  };
}
