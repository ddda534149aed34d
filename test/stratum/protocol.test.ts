import { describe, expect, it } from 'vitest';
import { DIFF1, difficultyForTarget, hashAtMost, leU32Hex, parseLeU32Hex, parseU32Hex, prevHashFromStratum, prevHashToStratum, shareDifficulty, targetForDifficulty, targetWords, u32Hex } from '../../src/stratum/protocol.js';
import { cpuminerTarget } from './cpuminer-style.js';

describe('difficulty and targets', () => {
  it('turns a difficulty into DIFF1 / d exactly, with d\'s binary value', () => {
    expect(targetForDifficulty(1)).toBe(DIFF1);
    expect(targetForDifficulty(2)).toBe(DIFF1 / 2n);
    expect(targetForDifficulty(0.5)).toBe(DIFF1 * 2n);
    expect(targetForDifficulty(2 ** -20)).toBe(DIFF1 << 20n);
    // 0.1 is not 1/10 in binary: the target is DIFF1 over the double's exact value.
    const { mantissa, exponent } = { mantissa: 0x1999999999999an, exponent: -56n };
    expect(targetForDifficulty(0.1)).toBe((DIFF1 << -exponent) / mantissa);
    expect(targetForDifficulty(1e-30)).toBe((1n << 256n) - 1n);
    expect(() => targetForDifficulty(0)).toThrow(RangeError);
    expect(() => targetForDifficulty(Number.NaN)).toThrow(RangeError);
  });

  it('agrees with cpuminer\'s diff_to_target to float rounding, well inside the server\'s 1/1024 slack', () => {
    for (const d of [0.000244140625, 0.00123, 1 / 3, 0.5, 1, 16.25, 683.51, 1e6]) {
      const ours = targetForDifficulty(d);
      const theirs = cpuminerTarget(d);
      const gap = ours > theirs ? ours - theirs : theirs - ours;
      expect(gap <= ours >> 40n, String(d)).toBe(true);
      expect(theirs <= ours + (ours >> 10n), String(d)).toBe(true);
      expect(difficultyForTarget(ours) / d).toBeCloseTo(1, 12);
    }
  });

  it('reads a hash as a little-endian number against target words, without a bigint per hash', () => {
    const target = 0x00000000ffff0000000000000000000000000000000000000000000000000001n;
    const words = targetWords(target);
    const asHash = (n: bigint) => Buffer.from(n.toString(16).padStart(64, '0'), 'hex').reverse();
    expect(hashAtMost(asHash(target), words)).toBe(true);
    expect(hashAtMost(asHash(target + 1n), words)).toBe(false);
    expect(hashAtMost(asHash(target - 1n), words)).toBe(true);
    expect(hashAtMost(asHash(1n << 255n), words)).toBe(false);
    expect(shareDifficulty(asHash(DIFF1))).toBe(1);
    expect(shareDifficulty(asHash(DIFF1 / 4n))).toBe(4);
  });
});

describe('byte orders', () => {
  it('swaps prevhash by 4-byte words and back', () => {
    const header = Uint8Array.from({ length: 32 }, (_, i) => i);
    const wire = prevHashToStratum(header);
    expect(wire.slice(0, 16)).toBe('0302010007060504');
    expect(prevHashFromStratum(wire)).toEqual(header);
    expect(() => prevHashFromStratum('00')).toThrow(RangeError);
  });

  it('writes u32 fields as big-endian hex and extranonces as their little-endian coinbase bytes', () => {
    expect(u32Hex(0x1d00ffff)).toBe('1d00ffff');
    expect(u32Hex(1)).toBe('00000001');
    expect(parseU32Hex('647025b5')).toBe(0x647025b5);
    expect(parseU32Hex('ffffffff')).toBe(0xffffffff);
    for (const bad of ['', '1234567', '123456789', '1234567g', ' 1234567']) expect(parseU32Hex(bad), bad).toBe(-1);
    expect(leU32Hex(42)).toBe('2a000000');
    expect(parseLeU32Hex('2a000000')).toBe(42);
    expect(parseLeU32Hex('efbeadde')).toBe(0xdeadbeef);
  });
});
