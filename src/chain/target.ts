import { VerifyError } from './errors.js';

/**
 * Compact "bits" ↔ 256-bit target, proof-of-work checks, work and difficulty. Targets and hashes
 * compare as 256-bit little-endian numbers, as Bitcoin does.
 */

const TWO_256 = 1n << 256n;

/** Bitcoin's difficulty-1 target (bits 0x1d00ffff). */
export const DIFFICULTY_1_TARGET = 0xffffn << 208n;

/** The target a compact `bits` encodes. Negative or overflowing encodings are 'bad-diffbits'. */
export function bitsToTarget(bits: number): bigint {
  const size = bits >>> 24;
  const word = bits & 0x007fffff;
  if (word !== 0 && (bits & 0x00800000) !== 0) throw new VerifyError('bad-diffbits', 'negative compact target');
  if (word !== 0 && (size > 34 || (word > 0xff && size > 33) || (word > 0xffff && size > 32))) {
    throw new VerifyError('bad-diffbits', 'compact target overflows 256 bits');
  }
  return size <= 3 ? BigInt(word >>> (8 * (3 - size))) : BigInt(word) << BigInt(8 * (size - 3));
}

/** The compact encoding of a target (rounding down to 3 significant bytes, as Bitcoin's GetCompact). */
export function targetToBits(target: bigint): number {
  if (target < 0n) throw new RangeError('negative target');
  let size = byteLength(target);
  let compact = size <= 3 ? Number(target << BigInt(8 * (3 - size))) : Number(target >> BigInt(8 * (size - 3)));
  // The top mantissa bit is a sign bit: move up a byte rather than encode a negative number.
  if (compact & 0x00800000) {
    compact >>>= 8;
    size += 1;
  }
  return ((size << 24) | compact) >>> 0;
}

/** A 256-bit number from 32 little-endian bytes (how a hash is read for the PoW check). */
export function leBytesToBigInt(bytes: Uint8Array): bigint {
  return BigInt('0x' + (Buffer.from(bytes).reverse().toString('hex') || '0'));
}

/** A target as 32 little-endian bytes: the form the miner's kernel compares against. */
export function targetToBytes(target: bigint): Uint8Array {
  const hex = target.toString(16).padStart(64, '0');
  if (hex.length > 64) throw new RangeError('target above 2^256');
  return new Uint8Array(Buffer.from(hex, 'hex').reverse());
}

/** Whether a hash (internal byte order) satisfies the target. */
export function hashMeetsTarget(hash: Uint8Array, target: bigint): boolean {
  return leBytesToBigInt(hash) <= target;
}

/** Expected hashes to find a block at this target: 2^256 / (target + 1). */
export function blockWork(target: bigint): bigint {
  return TWO_256 / (target + 1n);
}

/** Difficulty relative to Bitcoin's difficulty 1 (bits 0x1d00ffff → 1). */
export function difficulty(target: bigint): number {
  // Scale before dividing so targets far below difficulty 1 keep their precision.
  const scaled = (DIFFICULTY_1_TARGET << 32n) / (target === 0n ? 1n : target);
  return Number(scaled) / 2 ** 32;
}

function byteLength(n: bigint): number {
  return n === 0n ? 0 : Math.ceil(n.toString(16).length / 2);
}
