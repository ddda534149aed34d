// The SHA-256d contenders of `carechain bench kernels`. Each hashes nonces start..start+count-1 of one
// header the way its kind of code would in a miner, and tells the loop nothing but "done".
import { createHash } from 'node:crypto';
import { loadKernel } from '../src/kernel/kernel.js';
import { JsMidstateHasher } from './js-midstate.js';

export interface Contender {
  name: string;
  /** Hash `count` nonces from `start`; the return value defeats dead-code elimination. */
  run(start: number, count: number): number;
}

/** A contender that cannot run here, and why. */
export interface SkippedContender {
  name: string;
  reason: string;
}

/** A target no hash meets in practice (only the all-zero hash): every nonce is hashed to the end. */
const NOTHING_TARGET = new Uint8Array(32);

/** Every contender, by name, in the order they run. */
export const CONTENDER_NAMES = ['wasm-simd', 'wasm-scalar', 'node-crypto', 'hash-wasm', 'js-midstate'] as const;

/**
 * The contenders that can run in this install. hash-wasm is a devDependency: an install with
 * production dependencies only has no hash-wasm, and the benchmark runs without it.
 */
export async function makeContenders(header: Uint8Array): Promise<{ contenders: Contender[]; skipped: SkippedContender[] }> {
  const hashWasm = await hashWasmContender(header);
  const contenders = [
    kernelContender('wasm-simd', header),
    kernelContender('wasm-scalar', header),
    nodeCryptoContender(header),
    ...('run' in hashWasm ? [hashWasm] : []),
    jsMidstateContender(header),
  ];
  return { contenders, skipped: 'run' in hashWasm ? [] : [hashWasm] };
}

function kernelContender(name: 'wasm-simd' | 'wasm-scalar', header: Uint8Array): Contender {
  const kernel = loadKernel(name === 'wasm-simd' ? 'simd' : 'scalar');
  return { name, run: (start, count) => kernel.scanHeader(header, NOTHING_TARGET, start, count).hashed };
}

function nodeCryptoContender(header: Uint8Array): Contender {
  const buffer = Buffer.from(header);
  return {
    name: 'node-crypto',
    run(start, count) {
      let sink = 0;
      for (let nonce = start; nonce < start + count; nonce++) {
        buffer.writeUInt32LE(nonce, 76);
        const first = createHash('sha256').update(buffer).digest();
        sink ^= createHash('sha256').update(first).digest()[31]!;
      }
      return sink;
    },
  };
}

async function hashWasmContender(header: Uint8Array): Promise<Contender | SkippedContender> {
  let createSHA256: typeof import('hash-wasm').createSHA256;
  try {
    ({ createSHA256 } = await import('hash-wasm'));
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ERR_MODULE_NOT_FOUND') throw err;
    return { name: 'hash-wasm', reason: 'not installed (a devDependency; npm install hash-wasm to compare with it)' };
  }
  const hasher = await createSHA256();
  const buffer = Buffer.from(header);
  return {
    name: 'hash-wasm',
    run(start, count) {
      let sink = 0;
      for (let nonce = start; nonce < start + count; nonce++) {
        buffer.writeUInt32LE(nonce, 76);
        hasher.init();
        hasher.update(buffer);
        const first = hasher.digest('binary');
        hasher.init();
        hasher.update(first);
        sink ^= hasher.digest('binary')[31]!;
      }
      return sink;
    },
  };
}

function jsMidstateContender(header: Uint8Array): Contender {
  const hasher = new JsMidstateHasher(header);
  return {
    name: 'js-midstate',
    run(start, count) {
      let sink = 0;
      for (let nonce = start; nonce < start + count; nonce++) sink ^= hasher.topWord(nonce);
      return sink;
    },
  };
}
