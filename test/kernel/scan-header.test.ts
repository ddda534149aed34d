import { describe, expect, it } from 'vitest';
import { loadKernel, NONCE_SPACE, type KernelFlavor } from '../../src/kernel/kernel.js';
import { asNumber, numberToTarget, randomBytes, referenceSha256d, withNonce } from './reference.js';

const GENESIS_HEADER = Buffer.from(
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c',
  'hex',
);
const GENESIS_NONCE = 2083236893;
/** bits 0x1d00ffff: 0x00000000ffff0000…, as 32 little-endian bytes. */
const DIFFICULTY_1 = numberToTarget(0xffffn << 208n);
const MAX_TARGET = numberToTarget((1n << 256n) - 1n);

/** What a scan must return, worked out nonce by nonce with node:crypto. */
function expectedScan(header: Uint8Array, target: bigint, start: number, count: number) {
  for (let i = 0; i < count; i++) {
    if (asNumber(referenceSha256d(withNonce(header, start + i))) <= target) return { found: true, nonce: start + i, hashed: i + 1 };
  }
  return { found: false, nonce: 0, hashed: count };
}

describe.each<KernelFlavor>(['simd', 'scalar'])('scanHeader, %s build', (flavor) => {
  const kernel = loadKernel(flavor);

  it("finds Bitcoin's genesis nonce from 3,000,000 below it at bits 0x1d00ffff", () => {
    const result = kernel.scanHeader(GENESIS_HEADER, DIFFICULTY_1, GENESIS_NONCE - 3_000_000, 3_100_000);
    expect(result).toEqual({ found: true, nonce: GENESIS_NONCE, hashed: 3_000_001 });
    const hash = referenceSha256d(withNonce(GENESIS_HEADER, result.nonce));
    expect(Buffer.from(hash).reverse().toString('hex')).toBe('000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
  });

  it('hashes a whole range and finds nothing when the target is below every hash', () => {
    expect(kernel.scanHeader(GENESIS_HEADER, DIFFICULTY_1, 0, 10_003)).toEqual({ found: false, nonce: 0, hashed: 10_003 });
    expect(kernel.scanHeader(GENESIS_HEADER, new Uint8Array(32), 5, 0)).toEqual({ found: false, nonce: 0, hashed: 0 });
  });

  it('agrees with node:crypto on every nonce of random headers at the target edges', () => {
    const random = randomBytes(flavor === 'simd' ? 7 : 11);
    for (const count of [1, 2, 3, 4, 5, 7, 8, 37, 301]) {
      const header = random(80);
      const start = new DataView(random(4).buffer).getUint32(0) % (NONCE_SPACE - count);
      const hashes = Array.from({ length: count }, (_, i) => asNumber(referenceSha256d(withNonce(header, start + i))));
      const pick = hashes[Math.floor(count / 2)]!;
      const lowest = hashes.reduce((a, b) => (a < b ? a : b));
      const targets = [0n, (1n << 256n) - 1n, pick, pick - 1n, pick + 1n, lowest, lowest - 1n, lowest + 1n];
      for (const target of targets) {
        const got = kernel.scanHeader(header, numberToTarget(target), start, count);
        expect(got, `count ${count} target ${target.toString(16)}`).toEqual(expectedScan(header, target, start, count));
      }
    }
  });

  it('a target equal to a hash in every bit but the lowest decides on the full 256 bits', () => {
    const header = randomBytes(99)(80);
    const hash = asNumber(referenceSha256d(withNonce(header, 1000)));
    // Same top word as the hash, so only the full comparison tells these apart.
    expect(kernel.scanHeader(header, numberToTarget(hash - 1n), 1000, 1).found).toBe(false);
    expect(kernel.scanHeader(header, numberToTarget(hash), 1000, 1)).toEqual({ found: true, nonce: 1000, hashed: 1 });
  });

  it('scans ranges that end exactly at nonce 2^32 - 1', () => {
    const header = randomBytes(5)(80);
    for (const count of [1, 4, 6, 1001]) {
      const start = NONCE_SPACE - count;
      expect(kernel.scanHeader(header, MAX_TARGET, start, count)).toEqual({ found: true, nonce: start, hashed: 1 });
      const hashes = Array.from({ length: count }, (_, i) => asNumber(referenceSha256d(withNonce(header, start + i))));
      const last = hashes[count - 1]!;
      const target = hashes.slice(0, -1).some((h) => h <= last) ? 0n : last;
      expect(kernel.scanHeader(header, numberToTarget(target), start, count)).toEqual(expectedScan(header, target, start, count));
    }
  });

  it('refuses a bad header, a bad target and a range that would wrap', () => {
    expect(() => kernel.scanHeader(new Uint8Array(79), MAX_TARGET, 0, 1)).toThrow(/80 bytes/);
    expect(() => kernel.scanHeader(GENESIS_HEADER, new Uint8Array(31), 0, 1)).toThrow(/32 bytes/);
    expect(() => kernel.scanHeader(GENESIS_HEADER, MAX_TARGET, NONCE_SPACE - 1, 2)).toThrow(/split it/);
    expect(() => kernel.scanHeader(GENESIS_HEADER, MAX_TARGET, 0, -1)).toThrow(/non-negative/);
    expect(() => kernel.scanHeader(GENESIS_HEADER, MAX_TARGET, -1, 1)).toThrow(/start nonce/);
  });
});
