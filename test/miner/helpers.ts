import { createHash } from 'node:crypto';
import type { MiningWork } from '../../src/miner/job.js';
import type { MinerPool, MinerPoolEvents } from '../../src/miner/pool.js';

export function sha256(...parts: (string | Uint8Array)[]): Buffer {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return h.digest();
}

export function sha256d(data: Uint8Array): Buffer {
  return sha256(sha256(data));
}

/** A target a hash meets with probability 2^-bits (bits ≥ 1), or accepting nothing for bits = 256. */
export function easyTarget(bits: number): Uint8Array {
  const target = new Uint8Array(32);
  if (bits >= 256) return target;
  target.fill(0xff);
  for (let i = 0; i < bits; i++) {
    const bit = 255 - i;
    target[bit >> 3]! &= ~(1 << (bit & 7));
  }
  return target;
}

export const NOTHING = easyTarget(256);

export function meets(hash: Uint8Array, target: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) if (hash[i] !== target[i]) return hash[i]! < target[i]!;
  return true;
}

/** A header template whose Merkle root depends on the tag and the extranonce, recording each call. */
export function headerWork(tag: string, target: Uint8Array): MiningWork & { calls: number[] } {
  const calls: number[] = [];
  return {
    target,
    calls,
    headerFor(extranonce: number): Uint8Array {
      calls.push(extranonce);
      return makeHeader(tag, extranonce);
    },
  };
}

export function makeHeader(tag: string, extranonce: number, nonce = 0): Uint8Array {
  const header = new Uint8Array(80);
  const view = new DataView(header.buffer);
  view.setUint32(0, 1, true);
  header.set(sha256('prev', tag), 4);
  header.set(sha256('coinbase', tag, String(extranonce)), 36);
  view.setUint32(68, 1_700_000_000, true);
  view.setUint32(72, 0x1d00ffff, true);
  view.setUint32(76, nonce, true);
  return header;
}

/** Every (extranonce, nonce) of the space whose SHA-256d meets the target, found one by one with node:crypto. */
export function qualifying(tag: string, target: Uint8Array, extranonces: number, nonces: number): string[] {
  const found: string[] = [];
  for (let k = 0; k < extranonces; k++) {
    const header = makeHeader(tag, k);
    const view = new DataView(header.buffer);
    for (let n = 0; n < nonces; n++) {
      view.setUint32(76, n, true);
      if (meets(sha256d(header), target)) found.push(`${k}:${n}`);
    }
  }
  return found;
}

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Poll until `predicate` holds (or fail after `timeoutMs`). */
export async function until(predicate: () => boolean, what: string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!predicate()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(2);
  }
}

/** The next `event` of the pool, as a promise. */
export function next<K extends keyof MinerPoolEvents>(pool: MinerPool, event: K): Promise<MinerPoolEvents[K]> {
  return new Promise((resolve) => pool.once(event, ((...args: MinerPoolEvents[K]) => resolve(args)) as never));
}
