import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadKernel, type KernelFlavor } from '../../src/kernel/kernel.js';
import { randomBytes } from './reference.js';

function firstQualifying(prefix: Uint8Array, zeros: number, start: number, count: number) {
  for (let i = 0; i < count; i++) {
    const hex = createHash('sha256').update(prefix).update(String(start + i)).digest('hex');
    if (/^0*/.exec(hex)![0].length >= zeros) return { found: true, nonce: start + i, hashed: i + 1 };
  }
  return { found: false, nonce: 0, hashed: count };
}

describe.each<KernelFlavor>(['simd', 'scalar'])('scanPuzzle, %s build', (flavor) => {
  const kernel = loadKernel(flavor);

  it('solves the seed\'s example: "blockchain" with 6 zeros is 10730895', () => {
    const from = flavor === 'simd' ? 0 : 10_000_000; // the scalar build is slower: start nearer
    const result = kernel.scanPuzzle(Buffer.from('blockchain'), 6, from, 20_000_000);
    expect(result).toEqual({ found: true, nonce: 10730895, hashed: 10730895 - from + 1 });
    expect(createHash('sha256').update('blockchain10730895').digest('hex')).toBe(
      '000000ca1415e0bec568f6f605fcc83d18cac7a4e6c219a957c10c6879d67587',
    );
  });

  it('agrees with node:crypto for prefixes across block boundaries and digit-count changes', () => {
    const random = randomBytes(flavor === 'simd' ? 3 : 4);
    const starts = [0, 7, 95, 996, 99_990, 999_999_990, 4_294_967_200];
    for (const length of [0, 1, 40, 47, 48, 55, 56, 63, 64, 65, 100, 127, 128, 200]) {
      const prefix = random(length);
      for (const start of starts) {
        const count = Math.min(90, 4_294_967_296 - start);
        for (const zeros of [1, 2]) {
          expect(kernel.scanPuzzle(prefix, zeros, start, count), `len ${length} start ${start} zeros ${zeros}`).toEqual(
            firstQualifying(prefix, zeros, start, count),
          );
        }
      }
    }
  });

  it('counts zeros past the first word and refuses bad arguments', () => {
    // 64 zero digits never happens; the whole range is hashed.
    expect(kernel.scanPuzzle(Buffer.from('x'), 64, 0, 50)).toEqual({ found: false, nonce: 0, hashed: 50 });
    expect(() => kernel.scanPuzzle(Buffer.from('x'), 0, 0, 1)).toThrow(/zeros/);
    expect(() => kernel.scanPuzzle(Buffer.from('x'), 65, 0, 1)).toThrow(/zeros/);
    expect(() => kernel.scanPuzzle(new Uint8Array(5000), 1, 0, 1)).toThrow(/at most/);
  });
});
