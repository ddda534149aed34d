/**
 * A mining worker: one kernel instance scanning its ranges in short slices. Between slices it
 * polls shared memory (job generation, pause, wake signal) and drains its port synchronously, so a
 * new job is picked up within one slice and the thread never yields to an event loop while mining.
 */
import { receiveMessageOnPort, workerData } from 'node:worker_threads';
import { performance } from 'node:perf_hooks';
import { loadKernel, type Kernel, type ScanResult } from '../kernel/kernel.js';
import { NO_BOUND, SharedControl, position } from './shared.js';
import type { FromWorker, ScanSpec, ToWorker, WorkerData, WorkRange } from './protocol.js';

const FIRST_SLICE = 1 << 12; // short first calls also let V8 tier the kernel up early
const MIN_SLICE = 1 << 10;
const MAX_SLICE = 1 << 22;
/** An idle worker re-checks the control words at least this often, even without a wake. */
const IDLE_WAIT_MS = 200;

interface Queued {
  range: WorkRange;
  done: number;
}

class ScanLoop {
  private readonly control: SharedControl;
  private gen = -1;
  private spec: ScanSpec | null = null;
  private lowest = false;
  /** Lowest-first jobs: this worker's own best find, in force before the main thread publishes it. */
  private ownBound = NO_BOUND;
  private readonly queue: Queued[] = [];
  private ackedGen = -1;
  private reportedPause = 0;
  private seenSignal = -1;
  private retiring = false;
  private slice = FIRST_SLICE;

  constructor(
    private readonly data: WorkerData,
    private readonly kernel: Kernel,
  ) {
    this.control = new SharedControl(data.shared);
  }

  run(): void {
    this.post({ type: 'ready' });
    for (;;) {
      const signal = this.control.signal();
      if (signal !== this.seenSignal) {
        this.seenSignal = signal;
        this.drain();
      }
      if (this.retiring) return;
      const paused = this.control.pausedEpoch();
      if (paused !== 0) {
        if (paused !== this.reportedPause) this.post({ type: 'paused', epoch: (this.reportedPause = paused) });
        this.control.waitForSignal(signal, IDLE_WAIT_MS);
        continue;
      }
      // A newer job exists: drop the old ranges now; the job and its ranges follow by message.
      if (this.gen !== this.control.generation()) this.queue.length = 0;
      const head = this.queue[0];
      if (!head || !this.spec) {
        this.control.waitForSignal(signal, IDLE_WAIT_MS);
        continue;
      }
      this.scanSlice(head, this.spec);
    }
  }

  private drain(): void {
    for (let m = receiveMessageOnPort(this.data.port); m; m = receiveMessageOnPort(this.data.port)) {
      const msg = m.message as ToWorker;
      if (msg.type === 'job' && msg.gen > this.gen) {
        this.gen = msg.gen;
        this.spec = msg.spec;
        this.lowest = msg.lowest;
        this.ownBound = NO_BOUND;
        this.queue.length = 0;
      } else if (msg.type === 'range' && msg.gen === this.gen) {
        this.queue.push({ range: msg.range, done: 0 });
      } else if (msg.type === 'retire') {
        this.retiring = true;
      }
    }
  }

  private scanSlice(head: Queued, spec: ScanSpec): void {
    const { range } = head;
    const cursor = range.start + head.done;
    let count = Math.min(this.slice, range.count - head.done);
    if (this.lowest) {
      // Everything at or past the best solution so far is moot for a lowest-first job.
      const bound = this.control.bound();
      const room = (bound < this.ownBound ? bound : this.ownBound) - position(range.extranonce, cursor);
      count = room <= 0n ? 0 : Math.min(count, Number(room));
    }
    let hashed = 0;
    if (count > 0) {
      if (this.ackedGen !== this.gen) {
        this.ackedGen = this.gen;
        this.post({ type: 'ack', gen: this.gen, at: process.hrtime.bigint() });
      }
      const began = performance.now();
      const result = this.scan(spec, range, cursor, count);
      if (!result) return;
      const elapsed = performance.now() - began;
      hashed = result.hashed;
      // Checked here and again on the main thread: a solution for an aborted job is never reported.
      if (result.found && this.control.generation() === this.gen) {
        this.post({ type: 'found', gen: this.gen, seq: range.seq, extranonce: range.extranonce, nonce: result.nonce });
      }
      if (result.found && this.lowest) {
        // The rest of this range, and anything after it, is past the answer.
        head.done = range.count;
        const at = position(range.extranonce, result.nonce);
        if (at < this.ownBound) this.ownBound = at;
      } else {
        head.done += hashed;
      }
      if (count === this.slice && elapsed > 0.05) this.adaptSlice(hashed / elapsed);
    } else {
      head.done = range.count;
    }
    // Progress before hashes: a worker killed in between under-counts one slice, never re-hashes one.
    this.control.setProgress(this.data.slot, range.seq, head.done);
    if (hashed > 0) this.control.addHashes(this.data.slot, hashed);
    if (head.done >= range.count) {
      this.queue.shift();
      this.post({ type: 'done', gen: this.gen, seq: range.seq });
    }
  }

  /** One kernel call; a job the kernel rejects is dropped and reported rather than crashing the thread. */
  private scan(spec: ScanSpec, range: WorkRange, start: number, count: number): ScanResult | null {
    try {
      if (spec.kind === 'header') return this.kernel.scanHeader(range.header!, spec.target, start, count);
      return this.kernel.scanPuzzle(spec.prefix, spec.zeros, start, count);
    } catch (err) {
      this.post({ type: 'failed', gen: this.gen, message: err instanceof Error ? err.message : String(err) });
      this.spec = null;
      this.queue.length = 0;
      return null;
    }
  }

  /** Size slices to last about `sliceMs` at the rate just measured. */
  private adaptSlice(hashesPerMs: number): void {
    const wanted = Math.round(hashesPerMs * this.data.sliceMs);
    this.slice = Math.max(MIN_SLICE, Math.min(MAX_SLICE, wanted, this.slice * 4));
  }

  private post(msg: FromWorker): void {
    this.data.port.postMessage(msg);
  }
}

const data = workerData as WorkerData;
new ScanLoop(data, loadKernel(data.flavor)).run();
data.port.close();
