import type { MiningWork } from '../miner/job.js';
import { bitsToTarget, targetToBytes } from '../chain/target.js';
import { CoinbaseBuffer, HeaderScratch, type StratumHeaderFields } from './header-assembly.js';
import { hashAtMost, isHexBytes, parseU32Hex, prevHashFromStratum, targetForDifficulty, targetWords, u32Hex } from './protocol.js';

/** mining.notify's params, decoded. */
export interface PoolJob extends StratumHeaderFields {
  jobId: string;
  coinb1: Uint8Array;
  coinb2: Uint8Array;
  ntime: number;
  clean: boolean;
}

/** mining.notify params as a job, or null if they are not what a pool sends. */
export function parseNotify(params: unknown[]): PoolJob | null {
  const [jobId, prevhash, coinb1, coinb2, branch, version, nbits, ntime, clean] = params;
  if (typeof jobId !== 'string' || typeof prevhash !== 'string' || !/^[0-9a-fA-F]{64}$/.test(prevhash)) return null;
  if (!isHexBytes(coinb1) || !(coinb2 === '' || isHexBytes(coinb2)) || !Array.isArray(branch)) return null;
  if (!branch.every((b) => typeof b === 'string' && /^[0-9a-fA-F]{64}$/.test(b))) return null;
  const fields = [version, nbits, ntime].map((v) => (typeof v === 'string' ? parseU32Hex(v) : -1));
  if (fields.some((v) => v < 0)) return null;
  return {
    jobId,
    prevHash: prevHashFromStratum(prevhash),
    coinb1: Buffer.from(coinb1, 'hex'),
    coinb2: Buffer.from(coinb2 as string, 'hex'),
    merkleBranch: (branch as string[]).map((b) => Buffer.from(b, 'hex')),
    version: fields[0]!,
    bits: fields[1]!,
    ntime: fields[2]!,
    clean: clean === true,
  };
}

export interface SessionTerms {
  /** From mining.subscribe, as the coinbase holds it. */
  extranonce1: Uint8Array;
  extranonce2Size: number;
  /** The difficulty in force for this job (the last set_difficulty before its notify). */
  difficulty: number;
  /** Version bits the pool granted (mining.configure), 0 when none. */
  versionMask: number;
}

/**
 * A pool's job as MinerPool work: extranonce k is the miner's extranonce2, written little-endian
 * into the coinbase as cpuminer increments it; the target is the share target DIFF1 / difficulty.
 * When the pool's extranonce2 is shorter than 4 bytes and it granted version rolling, k's high
 * part rolls version bits inside the mask, so the search space stays 2^32 extranonces.
 */
export class PoolWork implements MiningWork {
  readonly target: Uint8Array;
  /** How many extranonces k this job has. */
  readonly extranonceCount: number;
  /** The block target nbits names, null if it names none. */
  private readonly blockTarget: Uint32Array | null;
  private readonly coinbase: CoinbaseBuffer;
  private readonly scratch = new HeaderScratch();
  private readonly extranonce2Space: number;
  private readonly maskBits: number[];

  constructor(readonly job: PoolJob, readonly terms: SessionTerms) {
    if (!(terms.extranonce2Size >= 1 && terms.extranonce2Size <= 32)) throw new RangeError(`extranonce2 size ${terms.extranonce2Size} is not 1..32 bytes`);
    this.target = targetToBytes(targetForDifficulty(terms.difficulty));
    this.coinbase = new CoinbaseBuffer(job.coinb1, terms.extranonce1, terms.extranonce2Size, job.coinb2);
    this.extranonce2Space = terms.extranonce2Size >= 4 ? 2 ** 32 : 2 ** (8 * terms.extranonce2Size);
    this.maskBits = [];
    for (let bit = 0; bit < 32; bit++) if ((terms.versionMask >>> bit) & 1) this.maskBits.push(bit);
    const rolls = this.extranonce2Space < 2 ** 32 ? 2 ** this.maskBits.length : 1;
    this.extranonceCount = Math.min(2 ** 32, this.extranonce2Space * rolls);
    let blockTarget: Uint32Array | null = null;
    try {
      blockTarget = targetWords(bitsToTarget(job.bits));
    } catch {
      // nbits that encode no target: no share can be told to be a block.
    }
    this.blockTarget = blockTarget;
  }

  /** Whether a share's hash (internal order) also meets the job's block target. */
  isBlock(hash: Uint8Array): boolean {
    return this.blockTarget !== null && hashAtMost(hash, this.blockTarget);
  }

  /** The 80-byte header for extranonce k, nonce bytes 0: deterministic, as MinerPool requires. */
  headerFor(k: number): Uint8Array {
    this.coinbase.setExtranonce2(k % this.extranonce2Space);
    return Uint8Array.from(this.scratch.fill(this.job, this.coinbase.bytes, this.job.ntime, 0, this.versionFor(k)));
  }

  /** mining.submit's params after worker and job id: extranonce2, ntime, nonce (and version bits when rolling is on). */
  submitParams(k: number, nonce: number): string[] {
    this.coinbase.setExtranonce2(k % this.extranonce2Space);
    const at = this.coinbase.extranonce2Offset;
    const extranonce2 = this.coinbase.bytes.toString('hex', at, at + this.terms.extranonce2Size);
    const params = [extranonce2, u32Hex(this.job.ntime), u32Hex(nonce)];
    if (this.terms.versionMask !== 0) params.push(u32Hex(this.versionFor(k) & this.terms.versionMask));
    return params;
  }

  private versionFor(k: number): number {
    if (this.extranonce2Space >= 2 ** 32 || this.maskBits.length === 0) return this.job.version;
    let roll = Math.floor(k / this.extranonce2Space);
    let bits = 0;
    for (const bit of this.maskBits) {
      if (roll === 0) break;
      if (roll & 1) bits |= 1 << bit;
      roll >>>= 1;
    }
    return ((this.job.version & ~this.terms.versionMask) | bits) >>> 0;
  }
}
