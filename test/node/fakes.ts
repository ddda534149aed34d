import { EventEmitter } from 'node:events';
import { decodeHeader, encodeHeader, headerHash } from '../../src/chain/header.js';
import type { EventRecorder } from '../../src/metrics/event-recorder.js';
import type { MinerPool } from '../../src/miner/pool.js';
import type { MinerPoolEvents } from '../../src/miner/pool-types.js';
import type { MiningJob } from '../../src/miner/job.js';
import type { Logger } from '../../src/node/log.js';
import { solveHeader } from '../chain/helpers.js';

/**
 * A MinerPool stand-in that mines in plain JS on demand: `solve()` grinds the current job's
 * header (test-network targets take a few thousand hashes) and emits the solution, so a test
 * decides exactly when blocks are found.
 */
export class FakePool extends EventEmitter<MinerPoolEvents> {
  job: MiningJob | null = null;
  jobs: MiningJob[] = [];
  cleared = 0;

  setJob(job: MiningJob): void {
    this.job = job;
    this.jobs.push(job);
  }

  clearJob(): void {
    this.job = null;
    this.cleared++;
  }

  /** Solve the current job (or the one given) at `extranonce` and report it as a worker would. */
  solve(job: MiningJob | null = this.job, extranonce = 0): void {
    if (!job) throw new Error('no job to solve');
    const header = solveHeader(decodeHeader(job.work.headerFor(extranonce)));
    const bytes = encodeHeader(header);
    this.emit('solution', { jobId: job.id, extranonce, nonce: header.nonce, header: bytes, hash: headerHash(header) });
  }

  asPool(): MinerPool {
    return this as unknown as MinerPool;
  }
}

/** Records every event-metrics call by name. */
export function recordingMetrics(): EventRecorder & { calls: Record<string, unknown[][]> } {
  const calls: Record<string, unknown[][]> = {};
  const rec = (name: string) => (...args: unknown[]) => void (calls[name] ??= []).push(args);
  return {
    calls,
    blockMined: rec('blockMined'),
    blockAccepted: rec('blockAccepted'),
    blockRejected: rec('blockRejected'),
    transactionRejected: rec('transactionRejected'),
    transactionEvicted: rec('transactionEvicted'),
    storageWriteFailed: rec('storageWriteFailed'),
    reorg: rec('reorg'),
    tipChanged: rec('tipChanged'),
    jobSwitched: rec('jobSwitched'),
    blockInterval: rec('blockInterval'),
    httpRequest: rec('httpRequest'),
  };
}

export function memoryLogger(): Logger & { lines: string[] } {
  const lines: string[] = [];
  return {
    lines,
    live: false,
    info: (m) => lines.push(`info ${m}`),
    warn: (m) => lines.push(`warn ${m}`),
    error: (m) => lines.push(`error ${m}`),
    status: (m) => lines.push(`status ${m}`),
    close: () => {},
  };
}

/** Resolve after pending promise callbacks and an I/O turn (a block write is an fsync). */
export async function until(check: () => boolean, timeoutMs = 5000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((r) => setTimeout(r, 5));
  }
}
