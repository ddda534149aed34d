import type { Block } from '../chain/block.js';
import type { SubmitResult } from '../chain/chain-types.js';
import { bytesEqual, toDisplayHex } from '../chain/hash.js';
import type { ShareResult, StratumRecorder } from '../metrics/stratum-metrics.js';
import type { StratumLog } from './job-source.js';
import type { Extranonce1Allocator } from './extranonce.js';
import { CoinbaseBuffer, sha256d, type HeaderScratch } from './header-assembly.js';
import type { JobRegistry, RecipientWork, ServerJob } from './job-registry.js';
import { errorLine, requestLine, resultLine, type StratumId, type StratumRequest } from './messages.js';
import {
  EXTRANONCE2_SIZE,
  HASHES_PER_DIFFICULTY,
  MAX_NTIME_ROLL_SECONDS,
  StratumError,
  VERSION_ROLLING_MASK,
  hashAtMost,
  isHexBytes,
  leU32Hex,
  parseLeU32Hex,
  parseU32Hex,
  targetForDifficulty,
  targetWords,
} from './protocol.js';
import { Vardiff, type VardiffOptions } from './vardiff.js';

/** The connection under a session: the server's socket, or a test's. */
export interface SessionTransport {
  /** The peer's address (no port): limits and bans are per address. */
  readonly address: string;
  write(line: string): void;
  /** Stop reading (a block is being stored) and carry on. */
  pause(): void;
  resume(): void;
}

/** What every session shares: the jobs, the node's chain door, the clock, the limits. */
export interface SessionServices {
  registry: JobRegistry;
  allocator: Extranonce1Allocator;
  /** Hex key paid when a username is not a payout key: the node's coinbase key. */
  defaultRecipient: string;
  minDifficulty: number;
  startDifficulty: number;
  vardiff: VardiffOptions;
  maxFutureSeconds: number;
  nowMs(): number;
  /** A job id no other notify of this server used. */
  nextJobId(): string;
  scratch: HeaderScratch;
  submitBlock(block: Block): Promise<SubmitResult>;
  recorder: StratumRecorder | undefined;
  log: StratumLog;
  /** Something invalid came in; the server decides when that is a ban. */
  misbehaved(session: StratumSession): void;
}

/** What GET /stratum shows of a session. */
export interface StratumSessionView {
  worker: string | null;
  address: string;
  extranonce1: string | null;
  difficulty: number;
  sharesAccepted: number;
  sharesRejected: number;
  /** From the difficulty of accepted shares over the last minute or two (null before the first share). */
  hashrate: number | null;
  lastShareAt: number | null;
  connectedAt: number;
  userAgent: string | null;
}

/** A job as this session was sent it: the id it knows, the coinbase it mines, the difficulty then in force. */
interface SentJob {
  job: ServerJob;
  work: RecipientWork;
  coinbase: CoinbaseBuffer;
  difficulty: number;
  acceptTarget: Uint32Array;
  seen: Set<string>;
}

/** Shares remembered per sent job for the duplicate check; past this the miner must take a newer job. */
const MAX_SHARES_PER_JOB = 200_000;
const SENT_JOBS_KEPT = 16;
/** The time constant of the hash rate estimate shown by GET /stratum. */
const RATE_SECONDS = 120;
const PAYOUT_USERNAME = /^([0-9a-fA-F]{64})(?:\.([\x21-\x7e]{0,64}))?$/;

/**
 * One Stratum connection: subscribe → authorize → jobs and shares. Lines are handled in order; a
 * share that makes a block pauses the connection until the chain has stored it, so the answer to
 * it (and to every later line) comes after the block is on disk.
 */
export class StratumSession {
  readonly connectedAt: number;
  extranonce1: number | null = null;
  private userAgent: string | null = null;
  private username: string | null = null;
  private recipient: string | null = null;
  private readonly workers = new Set<string>();
  private versionMask = 0;
  /** The difficulty the next job will carry, and the one the miner was last told. */
  private wanted: number;
  private floor: number;
  private fixed = false;
  private told: number | null = null;
  private acceptTarget: Uint32Array | null = null;
  private readonly jobs = new Map<string, SentJob>();
  private lastSent: SentJob | null = null;
  private vardiff: Vardiff;
  private busy = false;
  private readonly queued: StratumRequest[] = [];
  private closed = false;
  // Counters for GET /stratum and for the ban rule.
  accepted = 0;
  rejected = 0;
  good = 0;
  bad = 0;
  lastMessageAt: number;
  private lastShareAt: number | null = null;
  /** Accepted difficulty per second, decayed over RATE_SECONDS (as at lastShareAt). */
  private difficultyRate = 0;

  constructor(
    private readonly transport: SessionTransport,
    private readonly services: SessionServices,
  ) {
    this.connectedAt = services.nowMs();
    this.lastMessageAt = this.connectedAt;
    this.floor = services.minDifficulty;
    this.wanted = services.startDifficulty;
    this.vardiff = new Vardiff(this.connectedAt / 1000, services.vardiff);
  }

  get address(): string {
    return this.transport.address;
  }

  get subscribed(): boolean {
    return this.extranonce1 !== null;
  }

  get authorized(): boolean {
    return this.recipient !== null;
  }

  /** Handle one request (in order with the others: queued while a block is being stored). */
  handle(request: StratumRequest): void {
    if (this.closed) return;
    this.lastMessageAt = this.services.nowMs();
    if (this.busy) {
      this.queued.push(request);
      return;
    }
    const pending = this.dispatch(request);
    if (pending) this.holdUntil(pending);
  }

  /** Send this job (with a set_difficulty first when the difficulty changes), if the miner is ready for work. */
  sendJob(job: ServerJob): void {
    if (this.closed || !this.subscribed || !this.authorized) return;
    const difficulty = Math.min(Math.max(this.wanted, this.floor), job.networkDifficulty);
    if (difficulty !== this.told) {
      this.told = difficulty;
      this.acceptTarget = acceptTargetFor(difficulty);
      this.transport.write(requestLine('mining.set_difficulty', [difficulty]));
    }
    const work = job.forRecipient(this.recipient!);
    const sent: SentJob = {
      job,
      work,
      coinbase: new CoinbaseBuffer(work.coinb1, extranonceBytes(this.extranonce1!), EXTRANONCE2_SIZE, work.coinb2),
      difficulty,
      acceptTarget: this.acceptTarget!,
      seen: new Set(),
    };
    const clean = !this.lastSent || !bytesEqual(this.lastSent.job.fields.prevHash, job.fields.prevHash);
    const id = this.services.nextJobId();
    this.jobs.set(id, sent);
    if (this.jobs.size > SENT_JOBS_KEPT) this.jobs.delete(this.jobs.keys().next().value!);
    this.lastSent = sent;
    this.transport.write(`{"id":null,"method":"mining.notify","params":["${id}",${work.notifyParams},${clean}]}\n`);
  }

  /** Housekeeping: vardiff for a session that went quiet. */
  tick(nowMs: number): void {
    if (this.fixed || !this.lastSent || this.busy) return;
    const next = this.vardiff.tick(this.told ?? this.wanted, nowMs / 1000);
    if (next !== null) this.retarget(next);
  }

  /** The session is gone: its extranonce1 may be resumed for a while. */
  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.queued.length = 0;
    if (this.extranonce1 !== null) this.services.allocator.release(this.extranonce1);
  }

  view(): StratumSessionView {
    return {
      worker: this.username,
      address: this.address,
      extranonce1: this.extranonce1 === null ? null : leU32Hex(this.extranonce1),
      difficulty: this.told ?? this.wanted,
      sharesAccepted: this.accepted,
      sharesRejected: this.rejected,
      hashrate: this.hashrate(),
      lastShareAt: this.lastShareAt === null ? null : Math.floor(this.lastShareAt / 1000),
      connectedAt: Math.floor(this.connectedAt / 1000),
      userAgent: this.userAgent,
    };
  }

  // ── requests ──

  private dispatch(request: StratumRequest): void | Promise<void> {
    const { id, params } = request;
    switch (request.method) {
      case 'mining.subscribe':
        return this.subscribe(id, params);
      case 'mining.authorize':
        return this.authorize(id, params);
      case 'mining.configure':
        return this.configure(id, params);
      case 'mining.submit':
        return this.submit(id, params);
      case 'mining.suggest_difficulty':
        return this.suggestDifficulty(id, params);
      case 'mining.extranonce.subscribe':
        return this.reply(errorLine(id, StratumError.other, 'mining.set_extranonce is not supported: extranonce1 stays fixed for the session'));
      case 'mining.ping':
        return this.reply(resultLine(id, 'pong'));
      default:
        return this.reply(errorLine(id, StratumError.other, `unknown method ${request.method.slice(0, 64)}`));
    }
  }

  private subscribe(id: StratumId, params: unknown[]): void {
    if (this.subscribed) return this.reply(errorLine(id, StratumError.other, 'already subscribed'));
    if (typeof params[0] === 'string') this.userAgent = params[0].slice(0, 128);
    const { extranonce1, sessionId } = this.services.allocator.allocate(typeof params[1] === 'string' ? params[1] : undefined);
    this.extranonce1 = extranonce1;
    this.good++;
    this.reply(resultLine(id, [[['mining.set_difficulty', sessionId], ['mining.notify', sessionId]], leU32Hex(extranonce1), EXTRANONCE2_SIZE]));
    this.startMining();
  }

  private authorize(id: StratumId, params: unknown[]): void {
    const [username, password] = params;
    if (typeof username !== 'string' || username.length === 0 || username.length > 256) {
      return this.invalid(id, StratumError.other, 'authorize takes [username, password]');
    }
    const match = PAYOUT_USERNAME.exec(username);
    const recipient = match ? match[1]!.toLowerCase() : this.services.defaultRecipient;
    if (this.recipient !== null && recipient !== this.recipient) {
      return this.reply(errorLine(id, StratumError.unauthorized, 'one payout key per connection: open another for this one'));
    }
    const first = this.recipient === null;
    this.recipient = recipient;
    this.username ??= username;
    this.workers.add(username);
    this.good++;
    const asked = typeof password === 'string' ? /(?:^|[,;\s])d=([0-9.eE+-]+)/.exec(password) : null;
    const difficulty = asked ? Number(asked[1]) : NaN;
    if (difficulty > 0 && Number.isFinite(difficulty)) {
      // d=DIFF in the password: a fixed difficulty (within bounds), as many pools take it.
      this.fixed = true;
      this.floor = Math.max(this.services.minDifficulty, difficulty);
      this.wanted = difficulty;
    }
    this.reply(resultLine(id, true));
    if (first) this.startMining();
  }

  private configure(id: StratumId, params: unknown[]): void {
    const [extensions, options] = params;
    if (!Array.isArray(extensions)) return this.invalid(id, StratumError.other, 'configure takes [extensions, options]');
    const o = options && typeof options === 'object' ? (options as Record<string, unknown>) : {};
    const result: Record<string, unknown> = {};
    for (const name of extensions) {
      if (name === 'version-rolling') {
        const asked = typeof o['version-rolling.mask'] === 'string' ? parseU32Hex(o['version-rolling.mask']) : 0xffffffff;
        this.versionMask = (VERSION_ROLLING_MASK & (asked < 0 ? 0 : asked)) >>> 0;
        result['version-rolling'] = this.versionMask !== 0;
        result['version-rolling.mask'] = this.versionMask.toString(16).padStart(8, '0');
      } else if (typeof name === 'string') {
        result[name] = false;
      }
    }
    this.reply(resultLine(id, result));
  }

  private suggestDifficulty(id: StratumId, params: unknown[]): void {
    const value = typeof params[0] === 'string' ? Number(params[0]) : params[0];
    if (typeof value !== 'number' || !(value > 0) || !Number.isFinite(value)) {
      return this.invalid(id, StratumError.other, 'suggest_difficulty takes a positive number');
    }
    this.reply(resultLine(id, true));
    if (this.fixed) return;
    this.floor = Math.max(this.services.minDifficulty, value);
    this.vardiff.reset(this.services.nowMs() / 1000);
    this.retarget(value);
  }

  // ── shares ──

  private submit(id: StratumId, params: unknown[]): void | Promise<void> {
    const [worker, jobId, extranonce2, ntimeHex, nonceHex, versionHex] = params;
    const ntime = typeof ntimeHex === 'string' ? parseU32Hex(ntimeHex) : -1;
    const nonce = typeof nonceHex === 'string' ? parseU32Hex(nonceHex) : -1;
    const versionBits = versionHex === undefined ? 0 : typeof versionHex === 'string' ? parseU32Hex(versionHex) : -1;
    if (params.length < 5 || params.length > 6 || typeof worker !== 'string' || typeof jobId !== 'string' || !isHexBytes(extranonce2) || ntime < 0 || nonce < 0 || versionBits < 0) {
      return this.rejectShare(id, 'invalid', StratumError.other, 'submit takes [worker, job_id, extranonce2, ntime, nonce(, version_bits)] as hex strings');
    }
    if (!this.subscribed) return this.rejectShare(id, 'unauthorized', StratumError.notSubscribed, 'not subscribed');
    if (!this.workers.has(worker)) return this.rejectShare(id, 'unauthorized', StratumError.unauthorized, 'unauthorized worker');
    if (extranonce2.length !== 2 * EXTRANONCE2_SIZE) {
      return this.rejectShare(id, 'invalid', StratumError.other, `incorrect size of extranonce2: ${EXTRANONCE2_SIZE} bytes`);
    }
    const sent = this.jobs.get(jobId);
    if (!sent || !this.services.registry.isLive(sent.job)) return this.rejectShare(id, 'stale', StratumError.jobNotFound, 'job not found');
    const job = sent.job;
    const now = this.services.nowMs() / 1000;
    if (ntime < job.ntime || ntime > job.ntime + MAX_NTIME_ROLL_SECONDS || ntime > now + this.services.maxFutureSeconds) {
      return this.rejectShare(id, 'invalid', StratumError.other, 'ntime out of range');
    }
    if ((versionBits & ~this.versionMask) !== 0) return this.rejectShare(id, 'invalid', StratumError.other, 'version bits outside the negotiated mask');
    if (sent.seen.size >= MAX_SHARES_PER_JOB) return this.rejectShare(id, 'invalid', StratumError.other, 'too many shares for one job: mine a newer one');
    const key = versionHex === undefined ? extranonce2 + ntimeHex + nonceHex : extranonce2 + ntimeHex + nonceHex + versionHex;
    if (sent.seen.has(key)) return this.rejectShare(id, 'duplicate', StratumError.duplicate, 'duplicate share');
    sent.seen.add(key);

    const stale = job.stale; // as it was when the share came in: its own block makes the job stale
    const version = ((job.fields.version & ~this.versionMask) | versionBits) >>> 0;
    sent.coinbase.setExtranonce2Hex(extranonce2);
    const hash = sha256d(this.services.scratch.fill(job.fields, sent.coinbase.bytes, ntime, nonce, version));
    if (!hashAtMost(hash, job.networkTarget)) return this.answerShare(id, sent, stale, hashAtMost(hash, sent.acceptTarget));

    // A block, whatever the share's status: the chain decides, and the answer waits until it is on disk.
    this.services.recorder?.blockFound();
    const block = sent.work.template.blockFor(parseLeU32Hex(extranonce2), nonce, { extranonce1: this.extranonce1!, time: ntime, version });
    return this.services.submitBlock(block).then(
      (result) => {
        const what = `stratum: block ${toDisplayHex(hash)} at height ${job.template.height} from ${this.username} (${this.address})`;
        if (result.status === 'accepted') this.services.log.info(`${what} accepted${result.outcome === 'new-tip' ? '' : ` (${result.outcome})`}`);
        else if (result.status === 'rejected') this.services.log.warn(`${what} rejected: ${result.reason}: ${result.message}`);
        this.answerShare(id, sent, stale, true);
      },
      (err: unknown) => {
        this.services.log.error(`stratum: storing a block from ${this.address} failed: ${(err as Error).message}`);
        this.rejectShare(id, 'invalid', StratumError.other, 'the block could not be stored');
      },
    );
  }

  private answerShare(id: StratumId, sent: SentJob, stale: boolean, meetsShareTarget: boolean): void {
    if (stale) return this.rejectShare(id, 'stale', StratumError.jobNotFound, 'stale job: the chain has a new tip');
    if (!meetsShareTarget) return this.rejectShare(id, 'low-difficulty', StratumError.lowDifficulty, 'low difficulty share');
    const now = this.services.nowMs();
    this.accepted++;
    this.good++;
    this.countRate(sent.difficulty, now);
    this.lastShareAt = now;
    this.services.recorder?.share('accepted', sent.difficulty);
    this.reply(resultLine(id, true));
    if (this.fixed) return;
    const next = this.vardiff.share(sent.difficulty, this.told ?? sent.difficulty, now / 1000);
    if (next !== null) this.retarget(next);
  }

  private rejectShare(id: StratumId, result: ShareResult, code: number, message: string): void {
    this.rejected++;
    this.services.recorder?.share(result, this.told ?? 0);
    // A stale or unknown job is the network's doing, not the miner's.
    if (result === 'stale') this.reply(errorLine(id, code, message));
    else this.invalid(id, code, message);
  }

  // ── plumbing ──

  /** Answer with an error and count it against the session (junk, bad shares). */
  private invalid(id: StratumId, code: number, message: string): void {
    this.reply(errorLine(id, code, message));
    this.bad++;
    this.services.misbehaved(this);
  }

  /** A line that is not JSON-RPC at all (the server parsed it). */
  junk(): void {
    this.bad++;
    this.services.misbehaved(this);
  }

  private reply(line: string): void {
    if (!this.closed) this.transport.write(line);
  }

  /** Subscribed and authorized: the difficulty, then the current job. */
  private startMining(): void {
    const job = this.services.registry.current;
    if (job && this.subscribed && this.authorized) this.sendJob(job);
  }

  /** A new difficulty takes effect with a job: the current one again, under a new id. */
  private retarget(difficulty: number): void {
    this.wanted = Math.max(difficulty, this.floor);
    const job = this.services.registry.current;
    if (!job || !this.lastSent) return;
    // Already there (at the floor, or at the network's difficulty): nothing to tell the miner.
    if (Math.min(this.wanted, job.networkDifficulty) === this.told) return;
    this.sendJob(job);
  }

  private holdUntil(pending: Promise<void>): void {
    this.busy = true;
    this.transport.pause();
    void pending.finally(() => {
      this.busy = false;
      this.transport.resume();
      while (!this.busy && this.queued.length > 0 && !this.closed) {
        const next = this.dispatch(this.queued.shift()!);
        if (next) this.holdUntil(next);
      }
    });
  }

  private countRate(difficulty: number, now: number): void {
    this.difficultyRate = this.decayedRate(now) + difficulty / RATE_SECONDS;
  }

  private decayedRate(now: number): number {
    return this.lastShareAt === null ? 0 : this.difficultyRate * Math.exp(-(now - this.lastShareAt) / 1000 / RATE_SECONDS);
  }

  /** Hashes per second behind the accepted shares; a young session's average is scaled up for the time it has not had. */
  private hashrate(): number | null {
    if (this.lastShareAt === null) return null;
    const now = this.services.nowMs();
    const age = (now - this.connectedAt) / 1000;
    const coverage = 1 - Math.exp(-Math.max(age, 1) / RATE_SECONDS);
    return (this.decayedRate(now) / coverage) * HASHES_PER_DIFFICULTY;
  }
}

/** The share target for a difficulty, with 1/1024 of slack for miners that round their target up. */
function acceptTargetFor(difficulty: number): Uint32Array {
  const target = targetForDifficulty(difficulty);
  const slack = target + (target >> 10n);
  return targetWords(slack >= 1n << 256n ? (1n << 256n) - 1n : slack);
}

function extranonceBytes(extranonce1: number): Uint8Array {
  const bytes = new Uint8Array(4);
  new DataView(bytes.buffer).setUint32(0, extranonce1, true);
  return bytes;
}
