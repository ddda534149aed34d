/** The MinerPool's public shapes: options, events and the numbers it reports. */
import type { KernelFlavor } from '../kernel/kernel.js';
import type { HashRates } from './hashrate.js';
import type { JobId, Solution } from './job.js';

export interface MinerPoolOptions {
  /** Worker threads (default: os.availableParallelism()). */
  threads?: number;
  /** Kernel build (default: SIMD when the runtime has it). */
  flavor?: KernelFlavor;
  /** Nonces per range handed to a worker (default 2^26, several seconds of one core). */
  rangeSize?: number;
  /** Target length of one scan slice in ms: how long a worker may take to notice a new job (default 3). */
  sliceMs?: number;
  /** How often hash counters are sampled for the rate windows, in ms (default 1000). */
  sampleIntervalMs?: number;
}

export interface WorkerDeath {
  slot: number;
  exitCode: number;
  error?: Error;
  /** False when the worker died before it was ready, or in a crash loop (over 5 deaths in 10 s). */
  replaced: boolean;
}

export interface JobSwitch {
  jobId: JobId | null;
  /** From setJob to the last worker starting to hash the new job. */
  ms: number;
}

export interface InvalidSolution {
  jobId: JobId | null;
  extranonce: number;
  nonce: number;
}

export interface MinerPoolEvents {
  solution: [Solution];
  /** A job with a bounded extranonce range has hashed all of it. */
  exhausted: [JobId];
  jobSwitch: [JobSwitch];
  workerDied: [WorkerDeath];
  /** A worker claimed a nonce that node:crypto says does not meet the target (a kernel bug). */
  invalidSolution: [InvalidSolution];
  /** Something the job source did failed outside a call (headerFor threw while refilling ranges). */
  error: [Error];
}

export interface WorkerHashes {
  worker: number;
  /** Monotonic per slot, across worker replacement. */
  hashes: number;
}

export interface WorkerStats extends WorkerHashes {
  alive: boolean;
  rates: HashRates | null;
}

export interface MinerStats {
  threads: number;
  workers: number;
  mining: number;
  paused: boolean;
  jobId: JobId | null;
  hashes: number;
  rates: HashRates;
  peak10s: number | null;
  perWorker: WorkerStats[];
  restarts: number;
  staleSolutions: number;
  invalidSolutions: number;
}
