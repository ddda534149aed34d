import { describe, expect, it } from 'vitest';
import { leBytesToBigInt } from '../../src/chain/target.js';
import { parseNotify, PoolWork } from '../../src/stratum/pool-work.js';
import { targetForDifficulty } from '../../src/stratum/protocol.js';
import { espMinerVector } from './vectors.js';

const v = espMinerVector();

describe('a pool job as MinerPool work', () => {
  it.skipIf(!v)('builds the ESP-Miner vector\'s header for the extranonce2 the miner used, and submits it in cpuminer\'s format', () => {
    const whole = Buffer.from(v!.coinbase, 'hex');
    const at = 50;
    const job = parseNotify(['j1', v!.notify.prevhash, whole.subarray(0, at).toString('hex'), whole.subarray(at + 8).toString('hex'), v!.notify.merkle_branch, v!.notify.version, v!.notify.nbits, v!.notify.ntime, true])!;
    const work = new PoolWork(job, { extranonce1: whole.subarray(at, at + 4), extranonce2Size: 4, difficulty: 512, versionMask: 0 });
    const k = whole.readUInt32LE(at + 4); // extranonce2's bytes as cpuminer's little-endian counter
    const header = Buffer.from(work.headerFor(k));
    const nonce = parseInt(v!.submit.nonce, 16);
    header.writeUInt32LE(nonce, 76);
    expect(header.toString('hex')).toBe(v!.expect.header);
    expect(work.submitParams(k, nonce)).toEqual([whole.subarray(at + 4, at + 8).toString('hex'), v!.submit.ntime, v!.submit.nonce]);
    expect(leBytesToBigInt(work.target)).toBe(targetForDifficulty(512));
    expect(work.extranonceCount).toBe(2 ** 32);
    expect(job.clean).toBe(true);
  });

  it('rolls version bits inside the granted mask once a short extranonce2 runs out', () => {
    const job = parseNotify(['j2', '00'.repeat(32), 'aa', 'bb', [], '20000000', '1d00ffff', '5f5e1000', false])!;
    const rolling = new PoolWork(job, { extranonce1: Buffer.from('01020304', 'hex'), extranonce2Size: 1, difficulty: 1, versionMask: 0x1fffe000 });
    expect(rolling.extranonceCount).toBe(256 * 2 ** 16);
    const version = (k: number) => Buffer.from(rolling.headerFor(k)).readUInt32LE(0);
    expect(version(255)).toBe(0x20000000);
    expect(version(256)).toBe(0x20002000);
    expect(version(256 * 3 + 7)).toBe(0x20006000);
    expect(rolling.submitParams(256 * 3 + 7, 9)).toEqual(['07', '5f5e1000', '00000009', '00006000']);
    // Different k, different header: no two workers hash the same thing.
    expect(Buffer.from(rolling.headerFor(7)).equals(Buffer.from(rolling.headerFor(256 + 7)))).toBe(false);
    const plain = new PoolWork(job, { extranonce1: Buffer.from('01020304', 'hex'), extranonce2Size: 1, difficulty: 1, versionMask: 0 });
    expect(plain.extranonceCount).toBe(256);
    expect(plain.submitParams(5, 1)).toEqual(['05', '5f5e1000', '00000001']);
  });

  it('refuses a notify that is not one', () => {
    expect(parseNotify(['j', 'zz', 'aa', 'bb', [], '20000000', '1d00ffff', '5f5e1000', true])).toBeNull();
    expect(parseNotify(['j', '00'.repeat(32), 'aa', 'bb', ['00'], '20000000', '1d00ffff', '5f5e1000', true])).toBeNull();
    expect(parseNotify(['j', '00'.repeat(32), 'aa', 'bb', [], '2000000', '1d00ffff', '5f5e1000', true])).toBeNull();
  });
});
