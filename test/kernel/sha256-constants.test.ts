import { describe, expect, it } from 'vitest';
import { INITIAL_STATE, ROUND_CONSTANTS } from '../../src/kernel/sha256-constants.js';

/** The first `count` primes. */
function primes(count: number): bigint[] {
  const found: bigint[] = [];
  for (let n = 2n; found.length < count; n++) if (found.every((p) => n % p !== 0n)) found.push(n);
  return found;
}

/** ⌊x^(1/k)⌋ for a non-negative bigint, by Newton's method from above. */
function integerRoot(x: bigint, k: bigint): bigint {
  let r = 1n << (BigInt(x.toString(2).length) / k + 1n);
  for (;;) {
    const next = ((k - 1n) * r + x / r ** (k - 1n)) / k;
    if (next >= r) return r;
    r = next;
  }
}

// FIPS 180-4 §4.2.2 and §5.3.3 define the constants; derive them rather than trust a copied table.
describe('SHA-256 constants (the one copy the kernel, its generator and the benchmarks use)', () => {
  it('K is the first 32 bits of the fractional parts of the cube roots of the first 64 primes', () => {
    const derived = primes(64).map((p) => Number(integerRoot(p << 96n, 3n) & 0xffffffffn));
    expect(ROUND_CONSTANTS).toEqual(derived);
  });

  it('H(0) is the first 32 bits of the fractional parts of the square roots of the first 8 primes', () => {
    const derived = primes(8).map((p) => Number(integerRoot(p << 64n, 2n) & 0xffffffffn));
    expect(INITIAL_STATE).toEqual(derived);
  });
});
