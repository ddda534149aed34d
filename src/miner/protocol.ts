/** Messages between the pool (main thread) and its workers; each carries the job generation it belongs to. */
import type { MessagePort } from 'node:worker_threads';
import type { KernelFlavor } from '../kernel/kernel.js';

/** What a worker scans: header nonces against a target, or the seed's decimal-nonce puzzle. */
export type ScanSpec =
  | { kind: 'header'; target: Uint8Array }
  | { kind: 'puzzle'; prefix: Uint8Array; zeros: number };

/** A nonce range of one extranonce. `seq` grows per slot, across worker replacement. */
export interface WorkRange {
  seq: number;
  extranonce: number;
  /** The header for this extranonce (header jobs only). */
  header?: Uint8Array;
  start: number;
  count: number;
}

export interface WorkerData {
  slot: number;
  shared: SharedArrayBuffer;
  port: MessagePort;
  flavor?: KernelFlavor;
  /** Target duration of one scan slice: how long a new job may wait to be seen. */
  sliceMs: number;
}

export type ToWorker =
  /** From now on, generation `gen` is current; spec null means nothing to mine. */
  | { type: 'job'; gen: number; spec: ScanSpec | null; lowest: boolean }
  | { type: 'range'; gen: number; range: WorkRange }
  /** Finish the slice, publish progress, and exit (the thread count went down). */
  | { type: 'retire' };

export type FromWorker =
  | { type: 'ready' }
  /** First slice of generation `gen` starting, at process.hrtime.bigint(). */
  | { type: 'ack'; gen: number; at: bigint }
  | { type: 'found'; gen: number; seq: number; extranonce: number; nonce: number }
  | { type: 'done'; gen: number; seq: number }
  | { type: 'paused'; epoch: number }
  /** The kernel refused the job (bad input, e.g. a puzzle prefix too long): the worker dropped it. */
  | { type: 'failed'; gen: number; message: string };
