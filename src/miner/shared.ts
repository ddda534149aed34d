/**
 * The pool's shared memory: control words the workers poll between scan slices, and one hash
 * counter plus one progress word per worker slot. Main thread and workers both wrap the same
 * SharedArrayBuffer in a `SharedControl`; every access goes through Atomics.
 */

/** Worker slots the buffer has room for, and so the most threads a pool runs: the one limit the config, the CLI and the API share. */
export const MAX_SLOTS = 256;

/** No bound: a lowest-first job has not found anything yet. */
export const NO_BOUND = 2n ** 63n - 1n;

const GEN = 0; // job generation: bumped on every new job, so workers drop old work
const SIGNAL = 1; // bumped after every message to workers; idle workers Atomics.wait on it
const PAUSED = 2; // 0 when running, else the pause epoch (so each pause is acknowledged once)
const INT_WORDS = 8;

const BOUND = 0; // lowest-first jobs: position (extranonce·2^32 + nonce) of the best solution so far
const HASHES = 1; // + slot: hashes counted by the slot, monotonic across worker replacement
const PROGRESS = HASHES + MAX_SLOTS; // + slot: range seq · 2^32 + nonces done in that range

export class SharedControl {
  readonly buffer: SharedArrayBuffer;
  private readonly ints: Int32Array;
  private readonly bigs: BigInt64Array;

  constructor(buffer?: SharedArrayBuffer) {
    this.buffer = buffer ?? new SharedArrayBuffer(INT_WORDS * 4 + (1 + 2 * MAX_SLOTS) * 8);
    this.ints = new Int32Array(this.buffer, 0, INT_WORDS);
    this.bigs = new BigInt64Array(this.buffer, INT_WORDS * 4, 1 + 2 * MAX_SLOTS);
    if (!buffer) this.setBound(NO_BOUND);
  }

  generation(): number {
    return Atomics.load(this.ints, GEN);
  }

  nextGeneration(): number {
    return Atomics.add(this.ints, GEN, 1) + 1;
  }

  signal(): number {
    return Atomics.load(this.ints, SIGNAL);
  }

  /** Wake every idle worker: call after posting messages or changing a control word. */
  wake(): void {
    Atomics.add(this.ints, SIGNAL, 1);
    Atomics.notify(this.ints, SIGNAL);
  }

  /** Sleep until `wake()` (or the timeout) unless a wake happened since `seen` was read. */
  waitForSignal(seen: number, timeoutMs: number): void {
    Atomics.wait(this.ints, SIGNAL, seen, timeoutMs);
  }

  pausedEpoch(): number {
    return Atomics.load(this.ints, PAUSED);
  }

  setPaused(epoch: number): void {
    Atomics.store(this.ints, PAUSED, epoch);
  }

  bound(): bigint {
    return Atomics.load(this.bigs, BOUND);
  }

  setBound(position: bigint): void {
    Atomics.store(this.bigs, BOUND, position);
  }

  hashes(slot: number): number {
    return Number(Atomics.load(this.bigs, HASHES + slot));
  }

  addHashes(slot: number, n: number): void {
    Atomics.add(this.bigs, HASHES + slot, BigInt(n));
  }

  /** Which range a slot's worker is in (its seq) and how many of its nonces are done, in one word. */
  progress(slot: number): { seq: number; done: number } {
    const word = Atomics.load(this.bigs, PROGRESS + slot);
    return { seq: Number(word >> 32n), done: Number(word & 0xffffffffn) };
  }

  setProgress(slot: number, seq: number, done: number): void {
    Atomics.store(this.bigs, PROGRESS + slot, (BigInt(seq) << 32n) | BigInt(done));
  }
}

/** Where (extranonce, nonce) falls in a job's search order: lowest-first jobs compare these. */
export function position(extranonce: number, nonce: number): bigint {
  return (BigInt(extranonce) << 32n) | BigInt(nonce);
}
