import { describe, expect, it } from 'vitest';
import { PendingBlocks } from '../../src/net/pending-blocks.js';

const block = (n: number, parent: number, from = 'peer-a', size = 100) => ({ hash: `h${n}`, parentHash: `h${parent}`, bytes: new Uint8Array(size), from });

describe('the pending-block pool', () => {
  it('holds blocks by parent and gives the waiting children back when the parent arrives', () => {
    const pool = new PendingBlocks();
    expect(pool.add(block(2, 1))).toBe(true);
    expect(pool.add(block(3, 1, 'peer-b'))).toBe(true);
    expect(pool.add(block(4, 3))).toBe(true);
    expect(pool.add(block(2, 1))).toBe(false); // held already
    expect(pool.missingParents()).toEqual(['h1']); // h3 is in the pool: not a root to fetch
    expect([...pool.sendersWaitingOn(pool.missingParents())].sort()).toEqual(['peer-a', 'peer-b']);
    expect(pool.takeChildren('h1').map((b) => b.hash)).toEqual(['h2', 'h3']);
    expect(pool.missingParents()).toEqual(['h3']);
    expect(pool.take('h4')?.from).toBe('peer-a');
    expect(pool.size).toBe(0);
    expect(pool.bytes).toBe(0);
  });

  it('is bounded in blocks and bytes, oldest out first', () => {
    const pool = new PendingBlocks({ maxBlocks: 3, maxBytes: 1000, maxPerPeer: 100, ttlMs: 60_000 });
    for (let n = 1; n <= 5; n++) pool.add(block(n, 0, `p${n}`));
    expect(['h1', 'h2', 'h3', 'h4', 'h5'].map((h) => pool.has(h))).toEqual([false, false, true, true, true]);
    pool.add(block(6, 0, 'p6', 900));
    expect(pool.size).toBe(2); // 100 + 100 + 900 > 1000: two more went
    expect(pool.has('h5') && pool.has('h6')).toBe(true);
    expect(pool.add(block(7, 0, 'p7', 1001))).toBe(false); // larger than the whole pool
  });

  it('lets no single peer take more than its share: its own oldest block makes room', () => {
    const pool = new PendingBlocks({ maxBlocks: 100, maxBytes: 1e6, maxPerPeer: 2, ttlMs: 60_000 });
    pool.add(block(1, 0, 'honest'));
    for (let n = 2; n <= 6; n++) pool.add(block(n, 0, 'flooder'));
    expect(pool.has('h1')).toBe(true);
    expect(pool.size).toBe(3);
    expect(pool.has('h5') && pool.has('h6')).toBe(true);
  });

  it('forgets blocks after the time limit', () => {
    let now = 0;
    const pool = new PendingBlocks({ maxBlocks: 100, maxBytes: 1e6, maxPerPeer: 100, ttlMs: 3_600_000 }, () => now);
    pool.add(block(1, 0));
    now = 1_800_000;
    pool.add(block(2, 0));
    now = 3_600_001;
    pool.expire();
    expect([pool.has('h1'), pool.has('h2')]).toEqual([false, true]);
    now = 5_400_001;
    expect(pool.missingParents()).toEqual([]);
  });
});
