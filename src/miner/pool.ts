/**
 * MinerPool: the kernel on every core. Each worker thread owns one WASM instance and scans the
 * disjoint nonce ranges this pool hands it; shared memory carries the job generation (polled every
 * slice), pause, and per-slot hash counters. Solutions are re-checked here with node:crypto.
 */
import { EventEmitter } from 'node:events';
import { availableParallelism } from 'node:os';
import type { KernelFlavor } from '../kernel/kernel.js';
import { HeaderJob, PuzzleJob, type ActiveJob } from './active-job.js';
import { HashAccounts } from './hash-accounts.js';
import type { HashRates } from './hashrate.js';
import { checkInteger, checkRangeSize, resolveJob, type JobId, type MiningJob, type PuzzleSolution, type Solution } from './job.js';
import type { MinerPoolEvents, MinerPoolOptions, MinerStats, WorkerHashes } from './pool-types.js';
import type { FromWorker, ToWorker } from './protocol.js';
import { PauseGate } from './pause-gate.js';
import { MAX_SLOTS, NO_BOUND, SharedControl } from './shared.js';
import { SwitchTimer } from './switch-timer.js';
import { WorkerHandle } from './worker-handle.js';

/** Ranges a worker holds at once: the one it scans and the next, so it never waits for the main thread. */
const PREFETCH = 2;
const DEFAULT_RANGE = 2 ** 26;
/** Puzzle ranges are small so all workers share the search below the answer. */
const PUZZLE_RANGE = 2 ** 16;

export type * from './pool-types.js';

export class MinerPool extends EventEmitter<MinerPoolEvents> {
  private target: number;
  private readonly flavor: KernelFlavor | undefined;
  private readonly rangeSize: number;
  private readonly sliceMs: number;
  private readonly control = new SharedControl();
  private readonly handles: (WorkerHandle | undefined)[] = [];
  private readonly slotSeq = new Array<number>(MAX_SLOTS).fill(0);
  private readonly accounts: HashAccounts;
  private readonly switches = new SwitchTimer();
  private job: ActiveJob | null = null;
  private puzzle: { resolve(s: PuzzleSolution | null): void; reject(e: Error): void } | null = null;
  private readonly gate = new PauseGate(this.control);
  private started = false;
  private closed = false;
  private restartCount = 0;
  private stale = 0;
  private invalid = 0;
  private deaths: number[] = [];

  constructor(options: MinerPoolOptions = {}) {
    super();
    this.target = options.threads ?? availableParallelism();
    checkInteger('threads', this.target, 1, MAX_SLOTS);
    this.flavor = options.flavor;
    this.rangeSize = options.rangeSize ?? DEFAULT_RANGE;
    checkRangeSize(this.rangeSize);
    this.sliceMs = options.sliceMs ?? 3;
    if (!(this.sliceMs > 0)) throw new RangeError(`sliceMs must be positive, got ${this.sliceMs}`);
    const sampleMs = options.sampleIntervalMs ?? 1000;
    if (!(sampleMs >= 10)) throw new RangeError(`sampleIntervalMs must be at least 10, got ${sampleMs}`);
    this.accounts = new HashAccounts(this.control, sampleMs);
  }

  /** Start the workers; resolves once every kernel is loaded, rejects (and closes) if one fails. */
  async start(): Promise<void> {
    if (this.started) throw new Error('the pool is already started');
    if (this.closed) throw new Error('the pool is closed');
    this.started = true;
    this.accounts.start();
    try {
      await Promise.all(Array.from({ length: this.target }, (_, slot) => this.spawn(slot)));
    } catch (err) {
      await this.close();
      throw err;
    }
  }

  /** Mine this job from now on; old work is dropped by every worker within one slice. */
  setJob(job: MiningJob): void {
    const resolved = resolveJob(job, this.rangeSize);
    this.install((gen) => new HeaderJob(gen, resolved));
  }

  /** Stop mining (workers idle) without stopping the workers. */
  clearJob(): void {
    this.install(() => null);
  }

  /**
   * The seed's puzzle on every worker: the lowest nonce whose SHA-256(prefix ‖ decimal nonce) starts
   * with `zeros` zero hex digits, however the ranges fall (null if no u32 nonce does). Replaces the
   * current job; the pool is idle when it resolves.
   */
  solvePuzzle(prefix: string | Uint8Array, zeros: number, options: { rangeSize?: number } = {}): Promise<PuzzleSolution | null> {
    const bytes = typeof prefix === 'string' ? new TextEncoder().encode(prefix) : Uint8Array.from(prefix);
    checkInteger('zeros', zeros, 1, 64);
    const rangeSize = options.rangeSize ?? PUZZLE_RANGE;
    checkRangeSize(rangeSize);
    return new Promise((resolve, reject) => {
      this.install((gen) => new PuzzleJob(gen, bytes, zeros, rangeSize));
      this.puzzle = { resolve, reject };
    });
  }

  /** Stop hashing; resolves when every worker has finished its slice and counted it. */
  pause(): Promise<void> {
    this.switches.cancel();
    return this.gate.pause(this.allPausedAt);
  }

  resume(): void {
    this.gate.resume();
  }

  /** Change the thread count live: new workers join the current job, removed ones hand their ranges back. */
  async setThreads(threads: number): Promise<void> {
    checkInteger('threads', threads, 1, MAX_SLOTS);
    this.target = threads;
    if (!this.started || this.closed) return;
    const active = this.live().filter((h) => !h.retiring);
    if (threads > active.length) {
      const free: number[] = [];
      for (let slot = 0; free.length < threads - active.length; slot++) if (!this.handles[slot]) free.push(slot);
      await Promise.all(free.map((slot) => this.spawn(slot)));
    } else if (threads < active.length) {
      const leaving = active.sort((a, b) => b.slot - a.slot).slice(0, active.length - threads);
      for (const h of leaving) {
        h.retiring = true;
        this.post(h, { type: 'retire' });
      }
      this.control.wake();
      await Promise.all(leaving.map((h) => h.exited));
    }
  }

  /** Kill one worker abruptly, as a crash would (tests and drills): it is replaced and its range re-issued. */
  async killWorker(slot: number): Promise<void> {
    const h = this.handles[slot];
    if (!h || h.dead) throw new RangeError(`no live worker in slot ${slot}`);
    await h.terminate();
  }

  /** Stop every worker; the pool cannot be started again. */
  async close(): Promise<void> {
    this.closed = true;
    this.accounts.stop();
    this.puzzle?.reject(new Error('the miner pool was closed'));
    this.puzzle = null;
    this.gate.release();
    await Promise.all(this.live().map((h) => h.terminate()));
  }

  // ── numbers for the CLI, the HTTP API and the metrics ──

  /** The thread count asked for. */
  get threads(): number {
    return this.target;
  }

  /** Worker threads alive (loading, mining, idle or paused). */
  get workerCount(): number {
    return this.live().length;
  }

  /** Workers hashing right now: 0 when paused or without a job. */
  miningWorkers(): number {
    if (this.paused || !this.job || this.job.finished) return 0;
    return this.live().filter((h) => h.ready && !h.retiring).length;
  }

  get paused(): boolean {
    return this.gate.paused;
  }

  /** Workers that died after starting and were replaced. */
  get restarts(): number {
    return this.restartCount;
  }

  get jobId(): JobId | null {
    return this.job?.id ?? null;
  }

  /** Hashes per slot ever used, straight from the shared counters. */
  workerHashes(): WorkerHashes[] {
    return this.accounts.workerHashes();
  }

  totalHashes(): number {
    return this.accounts.totalHashes();
  }

  /** Total hash rate over 10 s, 60 s and 15 min (each null until the pool has run that long). */
  hashRates(): HashRates {
    return this.accounts.rates();
  }

  /** Rates per active slot. */
  workerRates(): { worker: number; rates: HashRates }[] {
    return this.accounts.workerRates();
  }

  /** The highest total 10 s rate seen so far. */
  get peakHashRate10s(): number | null {
    return this.accounts.peak10s;
  }

  /** Recent job-switch latencies in ms, oldest first (up to 1024). */
  jobSwitchTimes(): number[] {
    return this.switches.recent();
  }

  stats(): MinerStats {
    const rates = new Map(this.workerRates().map((w) => [w.worker, w.rates]));
    return {
      threads: this.threads,
      workers: this.workerCount,
      mining: this.miningWorkers(),
      paused: this.paused,
      jobId: this.jobId,
      hashes: this.totalHashes(),
      rates: this.hashRates(),
      peak10s: this.peakHashRate10s,
      perWorker: this.workerHashes().map((w) => ({
        ...w,
        alive: !!this.handles[w.worker] && !this.handles[w.worker]!.dead,
        rates: rates.get(w.worker) ?? null,
      })),
      restarts: this.restartCount,
      staleSolutions: this.stale,
      invalidSolutions: this.invalid,
    };
  }

  // ── jobs and ranges ──

  private install(make: (gen: number) => ActiveJob | null): void {
    const since = process.hrtime.bigint();
    const gen = this.control.generation() + 1;
    const job = make(gen); // may throw (bad job): nothing has changed yet
    this.control.setBound(NO_BOUND);
    this.control.nextGeneration(); // from here workers drop old work at their next slice
    this.job = job;
    const waiter = this.puzzle;
    this.puzzle = null;
    waiter?.reject(new Error('the puzzle was replaced by another job'));
    for (const h of this.live()) this.sendJob(h);
    this.control.wake();
    if (job && !this.paused) {
      this.switches.begin(gen, this.live().filter((h) => h.ready && !h.retiring).map((h) => h.slot), since);
    } else {
      this.switches.cancel();
    }
    this.checkFinished();
  }

  private sendJob(h: WorkerHandle): void {
    const job = this.job;
    h.outstanding = [];
    this.post(h, { type: 'job', gen: this.control.generation(), spec: job?.spec ?? null, lowest: job?.lowest ?? false });
    this.topUp(h);
  }

  /** Keep PREFETCH ranges in a worker's hands while the job has any left. */
  private topUp(h: WorkerHandle): void {
    const job = this.job;
    if (!job || job.finished || h.dead || h.retiring) return;
    while (h.outstanding.length < PREFETCH) {
      const seq = this.slotSeq[h.slot]! + 1;
      const range = job.take(seq);
      if (!range) break;
      this.slotSeq[h.slot] = seq;
      h.outstanding.push(range);
      this.post(h, { type: 'range', gen: job.gen, range });
    }
  }

  /** A worker left: what it had not hashed goes back to the job, judged by its published progress. */
  private reclaim(h: WorkerHandle): void {
    const ranges = h.outstanding;
    h.outstanding = [];
    const job = this.job;
    if (!job || job.finished) return;
    const progress = this.control.progress(h.slot);
    for (const r of ranges) {
      if (r.seq < progress.seq) continue;
      const done = r.seq === progress.seq ? progress.done : 0;
      if (done < r.count) job.giveBack({ extranonce: r.extranonce, start: r.start + done, count: r.count - done });
    }
  }

  private checkFinished(): void {
    const job = this.job;
    if (!job || job.finished || !job.drained) return;
    if (this.live().some((h) => h.outstanding.length > 0)) return;
    job.finished = true;
    this.switches.cancel();
    if (job instanceof PuzzleJob) {
      const waiter = this.puzzle;
      this.puzzle = null;
      waiter?.resolve(job.best?.solution ?? null);
    } else if (job.id !== null) {
      this.emit('exhausted', job.id);
    }
  }

  /** The current job cannot be mined: drop it everywhere and say why. */
  private fail(error: Error): void {
    const waiter = this.puzzle;
    this.puzzle = null;
    this.install(() => null);
    if (waiter) waiter.reject(error);
    else this.emit('error', error);
  }

  // ── workers ──

  private spawn(slot: number): Promise<void> {
    const h = new WorkerHandle(slot, { slot, shared: this.control.buffer, flavor: this.flavor, sliceMs: this.sliceMs }, {
      message: (h, msg) => this.guard(() => this.onMessage(h, msg)),
      exit: (h, code) => this.guard(() => this.onExit(h, code)),
    });
    this.handles[slot] = h;
    this.accounts.activate(slot);
    this.sendJob(h);
    this.control.wake();
    return h.started;
  }

  private onMessage(h: WorkerHandle, msg: FromWorker): void {
    if (msg.type === 'found') return this.onFound(msg.gen, msg.extranonce, msg.nonce);
    if (h.dead) return;
    switch (msg.type) {
      case 'ack': {
        const ms = this.switches.ack(h.slot, msg.gen, msg.at);
        if (ms !== null) this.emit('jobSwitch', { jobId: this.jobId, ms });
        break;
      }
      case 'done':
        if (this.job?.gen !== msg.gen) break;
        h.outstanding = h.outstanding.filter((r) => r.seq !== msg.seq);
        this.topUp(h);
        this.control.wake();
        this.checkFinished();
        break;
      case 'paused':
        h.pausedEpoch = msg.epoch;
        this.gate.check(this.allPausedAt);
        break;
      case 'failed':
        if (this.job?.gen === msg.gen && !this.job.finished) this.fail(new Error(`the kernel refused the job: ${msg.message}`));
        break;
    }
  }

  private onFound(gen: number, extranonce: number, nonce: number): void {
    const job = this.job;
    // The worker checked the generation before posting; check again, the job may have moved since.
    if (!job || job.gen !== gen || this.control.generation() !== gen) {
      this.stale++;
      return;
    }
    const verdict = job.check(extranonce, nonce);
    if (!verdict.ok) {
      if (verdict.reason === 'invalid') {
        this.invalid++;
        this.emit('invalidSolution', { jobId: job.id, extranonce, nonce });
      }
      return;
    }
    if (job.lowest) this.control.setBound(job.best!.at); // reported once everything below is hashed
    else this.emit('solution', verdict.solution as Solution);
  }

  private onExit(h: WorkerHandle, exitCode: number): void {
    if (this.handles[h.slot] === h) this.handles[h.slot] = undefined;
    this.reclaim(h);
    const ms = this.switches.drop(h.slot);
    if (ms !== null) this.emit('jobSwitch', { jobId: this.jobId, ms });
    if (!this.closed) {
      if (h.retiring) {
        this.accounts.retire(h.slot);
      } else {
        const replaced = h.ready && this.mayReplace();
        if (replaced) {
          this.restartCount++;
          void this.spawn(h.slot);
        }
        this.emit('workerDied', { slot: h.slot, exitCode, error: h.error, replaced });
      }
      for (const other of this.live()) this.topUp(other);
      this.control.wake();
      this.checkFinished();
      this.gate.check(this.allPausedAt);
    }
  }

  // ── housekeeping ──

  /** Replace dead workers, but not in a crash loop: at most 5 in any 10 s. */
  private mayReplace(): boolean {
    const now = Date.now();
    this.deaths = this.deaths.filter((t) => now - t < 10_000);
    this.deaths.push(now);
    return this.deaths.length <= 5;
  }

  private readonly allPausedAt = (epoch: number) => this.live().every((h) => h.pausedEpoch === epoch);

  private live(): WorkerHandle[] {
    return this.handles.filter((h): h is WorkerHandle => !!h && !h.dead);
  }

  private post(h: WorkerHandle, msg: ToWorker): void {
    h.post(msg);
  }

  /** Errors thrown by the job source inside a worker callback surface as 'error' events. */
  private guard(fn: () => void): void {
    try {
      fn();
    } catch (err) {
      this.emit('error', err instanceof Error ? err : new Error(String(err)));
    }
  }
}
