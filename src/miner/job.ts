/**
 * What the pool mines. A job is a target plus a way to build the 80-byte header for extranonce k;
 * the ledger's block template implements `MiningWork`, the pool never looks inside a header.
 */
export interface MiningWork {
  /** 32 bytes, little-endian: a header qualifies when SHA-256d(header), read little-endian, is ≤ it. */
  target: Uint8Array;
  /**
   * The 80-byte header for extranonce k (a new coinbase, so a new Merkle root). Must be
   * deterministic: the pool may ask again for the same k when it re-issues a dead worker's range.
   * Bytes 76..79 (the nonce) are ignored.
   */
  headerFor(extranonce: number): Uint8Array;
}

/** An opaque job id: the pool hands it back with every solution and never interprets it. */
export type JobId = string | number;

/** A header job as handed to `MinerPool.setJob`. */
export interface MiningJob {
  id: JobId;
  work: MiningWork;
  /** First extranonce to use (default 0). */
  extranonceStart?: number;
  /** How many extranonces the job may roll through; when all are hashed the pool emits `exhausted`. */
  extranonceCount?: number;
  /** Nonces tried per extranonce, [0, n) (default 2^32, the whole nonce field). */
  noncesPerExtranonce?: number;
  /** Nonces per range handed to one worker (default: the pool's `rangeSize`). */
  rangeSize?: number;
}

/** A header that meets its job's target, re-checked on the main thread with node:crypto. */
export interface Solution {
  jobId: JobId;
  extranonce: number;
  nonce: number;
  /** The full 80-byte header, nonce filled in. */
  header: Uint8Array;
  /** SHA-256d of the header in internal order (as SHA-256 produced it; display order is reversed). */
  hash: Uint8Array;
}

/** The seed's teaching puzzle: the lowest nonce whose SHA-256(prefix ‖ decimal nonce) has `zeros` leading zero hex digits. */
export interface PuzzleSolution {
  nonce: number;
  /** SHA-256(prefix ‖ decimal nonce), as hex. */
  hash: string;
}

/** Nonces are u32: one extranonce covers at most this many. */
export const NONCES_PER_EXTRANONCE = 2 ** 32;
/** Extranonces are u32 as well (Stratum's extranonce2 is 4 bytes here). */
export const EXTRANONCE_SPACE = 2 ** 32;

/** A job with its defaults filled in and its inputs checked once, on the way in. */
export interface ResolvedJob {
  id: JobId;
  work: MiningWork;
  target: Uint8Array;
  extranonceStart: number;
  extranonceEnd: number;
  nonces: number;
  rangeSize: number;
}

export function resolveJob(job: MiningJob, defaultRangeSize: number): ResolvedJob {
  const { id, work } = job;
  if (typeof id !== 'string' && typeof id !== 'number') throw new TypeError('a job needs an id (string or number)');
  if (!(work.target instanceof Uint8Array) || work.target.length !== 32) {
    throw new RangeError('a job target is 32 bytes');
  }
  if (typeof work.headerFor !== 'function') throw new TypeError('a job needs headerFor(extranonce)');
  const extranonceStart = job.extranonceStart ?? 0;
  checkInteger('extranonceStart', extranonceStart, 0, EXTRANONCE_SPACE - 1);
  const extranonceCount = job.extranonceCount ?? EXTRANONCE_SPACE - extranonceStart;
  checkInteger('extranonceCount', extranonceCount, 1, EXTRANONCE_SPACE - extranonceStart);
  const nonces = job.noncesPerExtranonce ?? NONCES_PER_EXTRANONCE;
  checkInteger('noncesPerExtranonce', nonces, 1, NONCES_PER_EXTRANONCE);
  const rangeSize = job.rangeSize ?? defaultRangeSize;
  checkRangeSize(rangeSize);
  return {
    id,
    work,
    target: Uint8Array.from(work.target),
    extranonceStart,
    extranonceEnd: extranonceStart + extranonceCount,
    nonces,
    rangeSize,
  };
}

/** Ranges fit in 31 bits so a worker can publish (range, progress) in one 64-bit atomic. */
export const MAX_RANGE_SIZE = 2 ** 31;

export function checkRangeSize(rangeSize: number): void {
  checkInteger('rangeSize', rangeSize, 1, MAX_RANGE_SIZE);
}

export function checkInteger(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`${name} must be an integer from ${min} to ${max}, got ${value}`);
  }
}
