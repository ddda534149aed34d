/** The main thread's side of the job being mined: its ranges, its headers, and checks of what workers find. */
import { RangeDispenser, type NonceRange } from './dispenser.js';
import type { JobId, PuzzleSolution, ResolvedJob, Solution } from './job.js';
import type { ScanSpec, WorkRange } from './protocol.js';
import { meetsTarget, puzzleHash, sha256d, solvesPuzzle, withNonce } from './verify.js';
import { position } from './shared.js';

/** Headers kept per job: a re-issued range may need an older extranonce again. */
const HEADER_CACHE = 64;
/** Found nonces remembered per job, so a range re-issued after a crash never reports one twice. */
const SEEN_LIMIT = 100_000;

export type Verdict<S> = { ok: true; solution: S } | { ok: false; reason: 'invalid' | 'duplicate' };

export abstract class ActiveJob<S = unknown> {
  /** Set when every range is hashed (or, lowest-first, everything below the best find). */
  finished = false;
  /** Lowest-first jobs: the best verified solution so far and where it lies. */
  best: { at: bigint; solution: S } | null = null;
  private readonly seen = new Set<string>();

  constructor(
    readonly gen: number,
    readonly id: JobId | null,
    readonly spec: ScanSpec,
    /** Find only the lowest (extranonce, nonce) solution, then stop. */
    readonly lowest: boolean,
    protected readonly dispenser: RangeDispenser,
  ) {}

  /** The next range for a worker, tagged with the slot's next sequence number. */
  take(seq: number): WorkRange | null {
    const range = this.dispenser.take();
    return range && { seq, ...range, ...this.extra(range) };
  }

  giveBack(range: NonceRange): void {
    this.dispenser.giveBack(range);
  }

  get drained(): boolean {
    return this.dispenser.drained;
  }

  /** Re-check a worker's claim; a lowest-first job also narrows its search to below a valid one. */
  check(extranonce: number, nonce: number): Verdict<S> {
    const key = `${extranonce}:${nonce}`;
    if (this.seen.has(key)) return { ok: false, reason: 'duplicate' };
    const solution = this.verify(extranonce, nonce);
    if (!solution) return { ok: false, reason: 'invalid' };
    this.seen.add(key);
    if (this.seen.size > SEEN_LIMIT) this.seen.delete(this.seen.values().next().value!);
    if (this.lowest) {
      const at = position(extranonce, nonce);
      if (!this.best || at < this.best.at) this.best = { at, solution };
      this.dispenser.lowerBound(at);
    }
    return { ok: true, solution };
  }

  protected extra(_range: NonceRange): Partial<WorkRange> {
    return {};
  }

  protected abstract verify(extranonce: number, nonce: number): S | null;
}

export class HeaderJob extends ActiveJob<Solution> {
  private readonly headers = new Map<number, Uint8Array>();

  constructor(gen: number, private readonly job: ResolvedJob) {
    super(gen, job.id, { kind: 'header', target: job.target }, false, new RangeDispenser(job));
    this.header(job.extranonceStart); // a template that cannot build a header fails setJob, not a worker
  }

  protected override extra(range: NonceRange): Partial<WorkRange> {
    return { header: this.header(range.extranonce) };
  }

  protected verify(extranonce: number, nonce: number): Solution | null {
    const header = withNonce(this.header(extranonce), nonce);
    const hash = sha256d(header);
    if (!meetsTarget(hash, this.job.target)) return null;
    return { jobId: this.job.id, extranonce, nonce, header, hash };
  }

  private header(extranonce: number): Uint8Array {
    let header = this.headers.get(extranonce);
    if (!header) {
      header = this.job.work.headerFor(extranonce);
      if (!(header instanceof Uint8Array) || header.length !== 80) {
        throw new RangeError(`headerFor(${extranonce}) must return 80 bytes`);
      }
      header = Uint8Array.from(header);
      this.headers.set(extranonce, header);
      if (this.headers.size > HEADER_CACHE) this.headers.delete(this.headers.keys().next().value!);
    }
    return header;
  }
}

export class PuzzleJob extends ActiveJob<PuzzleSolution> {
  constructor(gen: number, private readonly prefix: Uint8Array, private readonly zeros: number, rangeSize: number) {
    super(gen, null, { kind: 'puzzle', prefix, zeros }, true, new RangeDispenser({
      extranonceStart: 0,
      extranonceEnd: 1,
      nonces: 2 ** 32,
      rangeSize,
    }));
  }

  protected verify(_extranonce: number, nonce: number): PuzzleSolution | null {
    const hash = puzzleHash(this.prefix, nonce);
    return solvesPuzzle(hash, this.zeros) ? { nonce, hash } : null;
  }
}
