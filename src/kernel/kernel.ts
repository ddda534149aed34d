import { readFileSync } from 'node:fs';
import { kernelWasmPath } from './paths.js';

/** Which build of the kernel runs: 4-lane WebAssembly SIMD, or plain 32-bit scalar code. */
export type KernelFlavor = 'simd' | 'scalar';

/** The outcome of a scan: the first qualifying nonce (when found) and how many nonces were hashed. */
export interface ScanResult {
  found: boolean;
  /** The qualifying nonce; meaningful only when `found`. */
  nonce: number;
  /** Nonces hashed: up to and including the found one, or the whole count. */
  hashed: number;
}

/** Largest nonce range one scan takes: nonces are u32, so start + count may not pass 2^32. */
export const NONCE_SPACE = 2 ** 32;

/**
 * The SHA-256d kernel. One instance owns one WebAssembly memory: use it from one thread.
 *
 * Byte orders follow Bitcoin: a hash is returned as SHA-256 produced it ("internal order"); read as
 * a 256-bit little-endian number it is compared with a 32-byte little-endian target. Display order
 * (what explorers show) is the reverse.
 */
export interface Kernel {
  readonly flavor: KernelFlavor;
  sha256(data: Uint8Array): Uint8Array;
  sha256d(data: Uint8Array): Uint8Array;
  /**
   * Hash nonces start, start+1, …, start+count-1 in an 80-byte header (nonce = bytes 76..79,
   * little-endian) and return the first whose SHA-256d ≤ target. The range may not wrap: the caller
   * splits a range that would pass 2^32 − 1 (start + count ≤ 2^32, else RangeError).
   */
  scanHeader(header: Uint8Array, target: Uint8Array, start: number, count: number): ScanResult;
  /**
   * The seed's teaching puzzle: the first nonce in [start, start+count) for which
   * SHA-256(prefix ‖ decimal(nonce)) starts with at least `zeros` zero hex digits.
   */
  scanPuzzle(prefix: Uint8Array, zeros: number, start: number, count: number): ScanResult;
}

interface KernelExports {
  memory: WebAssembly.Memory;
  inputPtr(): number;
  inputCapacity(): number;
  digestPtr(): number;
  headerPtr(): number;
  targetPtr(): number;
  resultPtr(): number;
  puzzlePrefixPtr(): number;
  puzzlePrefixCapacity(): number;
  sha256Init(): void;
  sha256Update(length: number): void;
  sha256Final(): void;
  scanHeader(start: number, count: number): number;
  scanPuzzle(prefixLength: number, zeros: number, start: number, count: number): number;
}

/** Whether this runtime runs WebAssembly SIMD (v128), asked of the runtime itself. */
export function simdSupported(): boolean {
  // The smallest module using v128: (func (result v128) v128.const i32x4 0 0 0 0).
  const probe = new Uint8Array([
    0, 97, 115, 109, 1, 0, 0, 0, 1, 5, 1, 96, 0, 1, 123, 3, 2, 1, 0, 10, 22, 1, 20, 0, 253, 12, 0, 0, 0,
    0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 11,
  ]);
  return WebAssembly.validate(probe);
}

/** The build to use when none is asked for: SIMD when the runtime has it. */
export function defaultFlavor(): KernelFlavor {
  return simdSupported() ? 'simd' : 'scalar';
}

const compiled = new Map<KernelFlavor, WebAssembly.Module>();

/** Compile (once per thread) and instantiate a kernel. Synchronous so worker threads can start fast. */
export function loadKernel(flavor: KernelFlavor = defaultFlavor()): Kernel {
  let module = compiled.get(flavor);
  if (!module) {
    module = new WebAssembly.Module(readFileSync(kernelWasmPath(flavor)));
    compiled.set(flavor, module);
  }
  const instance = new WebAssembly.Instance(module, {});
  return new WasmKernel(flavor, instance.exports as unknown as KernelExports);
}

class WasmKernel implements Kernel {
  private readonly input: number;
  private readonly inputCapacity: number;
  private readonly digest: number;
  private readonly header: number;
  private readonly target: number;
  private readonly result: number;
  private readonly prefix: number;
  private readonly prefixCapacity: number;

  constructor(
    readonly flavor: KernelFlavor,
    private readonly wasm: KernelExports,
  ) {
    this.input = wasm.inputPtr();
    this.inputCapacity = wasm.inputCapacity();
    this.digest = wasm.digestPtr();
    this.header = wasm.headerPtr();
    this.target = wasm.targetPtr();
    this.result = wasm.resultPtr();
    this.prefix = wasm.puzzlePrefixPtr();
    this.prefixCapacity = wasm.puzzlePrefixCapacity();
  }

  sha256(data: Uint8Array): Uint8Array {
    const { wasm } = this;
    wasm.sha256Init();
    for (let offset = 0; offset < data.length; offset += this.inputCapacity) {
      const chunk = data.subarray(offset, offset + this.inputCapacity);
      this.bytes(this.input, chunk.length).set(chunk);
      wasm.sha256Update(chunk.length);
    }
    wasm.sha256Final();
    return this.bytes(this.digest, 32).slice();
  }

  sha256d(data: Uint8Array): Uint8Array {
    return this.sha256(this.sha256(data));
  }

  scanHeader(header: Uint8Array, target: Uint8Array, start: number, count: number): ScanResult {
    if (header.length !== 80) throw new RangeError(`a header is 80 bytes, got ${header.length}`);
    if (target.length !== 32) throw new RangeError(`a target is 32 bytes, got ${target.length}`);
    checkRange(start, count);
    this.bytes(this.header, 80).set(header);
    this.bytes(this.target, 32).set(target);
    return this.chunked(start, count, (s, c) => this.wasm.scanHeader(s, c));
  }

  scanPuzzle(prefix: Uint8Array, zeros: number, start: number, count: number): ScanResult {
    if (prefix.length > this.prefixCapacity) {
      throw new RangeError(`a puzzle prefix is at most ${this.prefixCapacity} bytes, got ${prefix.length}`);
    }
    if (!Number.isInteger(zeros) || zeros < 1 || zeros > 64) {
      throw new RangeError(`zeros must be an integer from 1 to 64, got ${zeros}`);
    }
    checkRange(start, count);
    this.bytes(this.prefix, prefix.length).set(prefix);
    return this.chunked(start, count, (s, c) => this.wasm.scanPuzzle(prefix.length, zeros, s, c));
  }

  /** The WASM side takes u32 counts: run ranges of up to 2^32 in pieces below 2^31. */
  private chunked(start: number, count: number, scan: (start: number, count: number) => number): ScanResult {
    const piece = 2 ** 31;
    let hashed = 0;
    while (hashed < count) {
      const n = Math.min(piece, count - hashed);
      const found = scan((start + hashed) >>> 0, n) !== 0;
      const view = new Uint32Array(this.wasm.memory.buffer, this.result, 2);
      if (found) return { found: true, nonce: view[0]!, hashed: hashed + view[1]! };
      hashed += n;
    }
    return { found: false, nonce: 0, hashed };
  }

  private bytes(ptr: number, length: number): Uint8Array {
    return new Uint8Array(this.wasm.memory.buffer, ptr, length);
  }
}

function checkRange(start: number, count: number): void {
  if (!Number.isInteger(start) || start < 0 || start >= NONCE_SPACE) {
    throw new RangeError(`start nonce must be an integer in [0, 2^32), got ${start}`);
  }
  if (!Number.isInteger(count) || count < 0) throw new RangeError(`count must be a non-negative integer, got ${count}`);
  if (start + count > NONCE_SPACE) {
    throw new RangeError(`range ${start}+${count} passes 2^32 - 1: split it at the wrap`);
  }
}
