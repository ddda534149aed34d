import type { PublishedJob } from '../chain/template.js';

/** Where the Stratum server gets its jobs: the node's job publisher (src/node/job-publisher.ts) is one. */
export interface JobSource {
  current(): PublishedJob | null;
  on(event: 'job', listener: (job: PublishedJob) => void): unknown;
  off(event: 'job', listener: (job: PublishedJob) => void): unknown;
}

/** What the server logs (src/node/log.ts's Logger is one). */
export interface StratumLog {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}
