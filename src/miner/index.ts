/** The mining engine: a pool of WASM kernels on worker threads, fed jobs by the node. */
export { MinerPool } from './pool.js';
export type {
  InvalidSolution,
  JobSwitch,
  MinerPoolEvents,
  MinerPoolOptions,
  MinerStats,
  WorkerDeath,
  WorkerHashes,
  WorkerStats,
} from './pool-types.js';
export type { JobId, MiningJob, MiningWork, PuzzleSolution, Solution } from './job.js';
export type { HashRates } from './hashrate.js';
