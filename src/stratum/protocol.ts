/**
 * Stratum v1 as miners speak it (pooler/cpuminer, ckpool, ESP-Miner): the byte orders of the
 * notify and submit fields, difficulty ↔ target, and the error codes. Pure functions, shared by the
 * server in the node and the `carechain mine` client.
 *
 * - prevhash: the header's 32 bytes with each 4-byte word reversed (cpuminer le32dec's each word).
 * - version, nbits, ntime, nonce: the u32 as big-endian hex; the header stores it little-endian.
 * - extranonce1, extranonce2: the coinbase's bytes as they are, in hex.
 */
import { DIFFICULTY_1_TARGET } from '../chain/target.js';

/** The target of share difficulty 1: 0x00000000ffff0000…0000 (bdiff, as cpuminer and ckpool use). */
export const DIFF1 = DIFFICULTY_1_TARGET;
/** Hashes a share of difficulty 1 takes on average (0xffff × 2^208 ≈ 2^224, so ≈ 2^32). */
export const HASHES_PER_DIFFICULTY = 2 ** 32;
/** Bytes of extranonce2 the server hands out: the coinbase's extranonce2 field is a u32. */
export const EXTRANONCE2_SIZE = 4;
/** The version bits a miner may roll (BIP 310's usual mask: bits 13..28). */
export const VERSION_ROLLING_MASK = 0x1fffe000;
/** How far a miner may roll ntime past the job's (ckpool allows the same). */
export const MAX_NTIME_ROLL_SECONDS = 7000;
/** A line without a newline in this many bytes is not Stratum: the connection is dropped. */
export const MAX_LINE_BYTES = 16 * 1024;

/** Stratum's error codes, as `[code, message, null]`. */
export const StratumError = {
  other: 20,
  jobNotFound: 21,
  duplicate: 22,
  lowDifficulty: 23,
  unauthorized: 24,
  notSubscribed: 25,
} as const;

const TWO_256 = 1n << 256n;

/** The share target for difficulty d: DIFF1 / d exactly (d's binary value, no rounding), at most 2^256 - 1. */
export function targetForDifficulty(difficulty: number): bigint {
  if (!(difficulty > 0) || !Number.isFinite(difficulty)) throw new RangeError(`a difficulty is a positive number, got ${difficulty}`);
  const { numerator, denominator } = exactRatio(difficulty);
  const target = (DIFF1 * denominator) / numerator;
  return target >= TWO_256 ? TWO_256 - 1n : target;
}

/** The difficulty of a target (DIFF1 / target), as a float. */
export function difficultyForTarget(target: bigint): number {
  return Number((DIFF1 << 64n) / (target === 0n ? 1n : target)) / 2 ** 64;
}

/** A hash's share difficulty, DIFF1 / hash (read little-endian), as ckpool computes it; Infinity for 0. */
export function shareDifficulty(hash: Uint8Array): number {
  let value = 0;
  for (let i = 31; i >= 0; i--) value = value * 256 + hash[i]!;
  return DIFF1_AS_NUMBER / value;
}
const DIFF1_AS_NUMBER = 0xffff * 2 ** 208;

/** A 256-bit target as 8 u32 words, most significant first: what hashAtMost compares against. */
export function targetWords(target: bigint): Uint32Array {
  const words = new Uint32Array(8);
  for (let i = 0; i < 8; i++) words[i] = Number((target >> BigInt(32 * (7 - i))) & 0xffffffffn);
  return words;
}

/** Whether a hash (32 bytes, read as a little-endian number) is ≤ the target's words. No allocation. */
export function hashAtMost(hash: Uint8Array, words: Uint32Array): boolean {
  for (let i = 0; i < 8; i++) {
    const at = 28 - 4 * i;
    const word = (hash[at]! | (hash[at + 1]! << 8) | (hash[at + 2]! << 16) | (hash[at + 3]! << 24)) >>> 0;
    if (word !== words[i]) return word < words[i]!;
  }
  return true;
}

/** The header's prevHash (internal order) as mining.notify sends it: each 4-byte word reversed. */
export function prevHashToStratum(prevHash: Uint8Array): string {
  return Buffer.from(swapWords(prevHash)).toString('hex');
}

/** mining.notify's prevhash back to the header's bytes. */
export function prevHashFromStratum(hex: string): Uint8Array {
  if (!/^[0-9a-fA-F]{64}$/.test(hex)) throw new RangeError('prevhash is 64 hex digits');
  return swapWords(new Uint8Array(Buffer.from(hex, 'hex')));
}

function swapWords(bytes: Uint8Array): Uint8Array {
  const out = new Uint8Array(32);
  for (let i = 0; i < 32; i++) out[i] = bytes[(i & ~3) + 3 - (i & 3)]!;
  return out;
}

/** A u32 as Stratum's 8 big-endian hex digits (version, nbits, ntime, nonce). */
export function u32Hex(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

/** 8 hex digits as a big-endian u32, or -1 if `hex` is not exactly that. No allocation. */
export function parseU32Hex(hex: string): number {
  if (hex.length !== 8) return -1;
  let value = 0;
  for (let i = 0; i < 8; i++) {
    const digit = hexDigit(hex.charCodeAt(i));
    if (digit < 0) return -1;
    value = value * 16 + digit;
  }
  return value;
}

/** 8 hex digits of coinbase bytes as the u32 the coinbase stores little-endian (extranonce1/2), or -1. */
export function parseLeU32Hex(hex: string): number {
  const be = parseU32Hex(hex);
  return be < 0 ? -1 : swap32(be);
}

/** A u32 the coinbase stores little-endian (extranonce1/2) as the 8 hex digits of its bytes. */
export function leU32Hex(value: number): string {
  return u32Hex(swap32(value));
}

export function swap32(value: number): number {
  return (((value & 0xff) << 24) | ((value & 0xff00) << 8) | ((value >>> 8) & 0xff00) | (value >>> 24)) >>> 0;
}

/** Whether `s` is an even number of hex digits (at least one byte). */
export function isHexBytes(s: unknown): s is string {
  if (typeof s !== 'string' || s.length === 0 || s.length % 2 !== 0) return false;
  for (let i = 0; i < s.length; i++) if (hexDigit(s.charCodeAt(i)) < 0) return false;
  return true;
}

function hexDigit(code: number): number {
  if (code >= 48 && code <= 57) return code - 48;
  if (code >= 97 && code <= 102) return code - 87;
  if (code >= 65 && code <= 70) return code - 55;
  return -1;
}

/** A double as numerator / denominator, both integers, exactly (its binary mantissa and exponent). */
function exactRatio(value: number): { numerator: bigint; denominator: bigint } {
  const view = new DataView(new ArrayBuffer(8));
  view.setFloat64(0, value);
  const bits = view.getBigUint64(0);
  const exponent = Number((bits >> 52n) & 0x7ffn);
  const fraction = bits & ((1n << 52n) - 1n);
  const mantissa = exponent === 0 ? fraction : fraction | (1n << 52n);
  const shift = (exponent === 0 ? 1 : exponent) - 1075;
  return shift >= 0 ? { numerator: mantissa << BigInt(shift), denominator: 1n } : { numerator: mantissa, denominator: 1n << BigInt(-shift) };
}
