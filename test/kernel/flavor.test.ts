import { describe, expect, it } from 'vitest';
import { defaultFlavor, loadKernel, simdSupported } from '../../src/kernel/kernel.js';

describe('kernel selection', () => {
  it('detects SIMD with WebAssembly.validate and uses it by default (Node 20 has it)', () => {
    expect(simdSupported()).toBe(true);
    expect(defaultFlavor()).toBe('simd');
    expect(loadKernel().flavor).toBe('simd');
    expect(loadKernel('scalar').flavor).toBe('scalar');
  });

  it('gives every caller its own instance (its own memory)', () => {
    const a = loadKernel('simd');
    const b = loadKernel('simd');
    expect(Buffer.from(a.sha256(Buffer.from('a'))).equals(Buffer.from(b.sha256(Buffer.from('a'))))).toBe(true);
    expect(a).not.toBe(b);
  });
});
