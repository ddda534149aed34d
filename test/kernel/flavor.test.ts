import { describe, expect, it } from 'vitest';
import { defaultFlavor, loadKernel, simdSupported, type Kernel, type KernelFlavor } from '../../src/kernel/kernel.js';
import { numberToTarget } from './reference.js';

// Bitcoin's blocks 0 and 1: two headers whose nonces are known, both at bits 0x1d00ffff.
const GENESIS = Buffer.from(
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c',
  'hex',
);
const BLOCK_1 = Buffer.from(
  '010000006fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000982051fd1e4ba744bbbe680e1fee14677ba1a3c3540bf7b1cdb606e857233e0e61bc6649ffff001d01e36299',
  'hex',
);
const DIFFICULTY_1 = numberToTarget(0xffffn << 208n);

/**
 * The linear memory behind a kernel and the address of its header buffer, read past the typed API:
 * a scan sets up everything it reads, so only the memory itself shows whether two kernels share it.
 */
function memoryOf(kernel: Kernel): { bytes: Uint8Array; header: number } {
  const { wasm } = kernel as unknown as { wasm: { memory: WebAssembly.Memory; headerPtr(): number } };
  return { bytes: new Uint8Array(wasm.memory.buffer), header: wasm.headerPtr() };
}

describe('kernel selection', () => {
  it('detects SIMD with WebAssembly.validate and uses it by default (Node 20 has it)', () => {
    expect(simdSupported()).toBe(true);
    expect(defaultFlavor()).toBe('simd');
    expect(loadKernel().flavor).toBe('simd');
    expect(loadKernel('scalar').flavor).toBe('scalar');
  });

  it.each<KernelFlavor>(['simd', 'scalar'])('gives every caller its own instance, with its own memory (%s)', (flavor) => {
    const a = loadKernel(flavor);
    const b = loadKernel(flavor);
    // Interleaved scans of two headers, each instance finding its own block's nonce.
    expect(a.scanHeader(GENESIS, DIFFICULTY_1, 2083236893 - 500, 1000)).toMatchObject({ found: true, nonce: 2083236893 });
    expect(b.scanHeader(BLOCK_1, DIFFICULTY_1, 2573394689 - 500, 1000)).toMatchObject({ found: true, nonce: 2573394689 });
    // What each scan left in memory stays there: a still holds the genesis header after b's scan.
    const [memA, memB] = [memoryOf(a), memoryOf(b)];
    expect(Buffer.from(memA.bytes.subarray(memA.header, memA.header + 80)).equals(GENESIS)).toBe(true);
    expect(Buffer.from(memB.bytes.subarray(memB.header, memB.header + 80)).equals(BLOCK_1)).toBe(true);
    // And a write into one instance's memory is not seen by the other.
    memA.bytes.fill(0xab, memA.header, memA.header + 80);
    expect(Buffer.from(memB.bytes.subarray(memB.header, memB.header + 80)).equals(BLOCK_1)).toBe(true);
  });
});
