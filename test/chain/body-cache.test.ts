import { describe, expect, it } from 'vitest';
import { BodyCache } from '../../src/chain/body-cache.js';
import { getNetwork } from '../../src/chain/network.js';

const block = getNetwork('dev').genesis;

describe('BodyCache', () => {
  it('holds at most its capacity besides pinned bodies, evicting the least recently remembered', () => {
    const cache = new BodyCache(2);
    cache.pin('genesis', block);
    for (const hash of ['a', 'b', 'c', 'd', 'e']) cache.remember(hash, block);
    expect(cache.size).toBe(3);
    expect(cache.get('genesis')).toBe(block);
    expect(cache.get('a')).toBeUndefined();
    expect(cache.get('c')).toBeUndefined();
    expect(cache.get('d')).toBe(block);
    expect(cache.get('e')).toBe(block);
  });

  it('counts remembering again as recent use', () => {
    const cache = new BodyCache(2);
    for (const hash of ['a', 'b']) cache.remember(hash, block);
    cache.remember('a', block);
    cache.remember('c', block);
    expect(cache.get('a')).toBe(block);
    expect(cache.get('b')).toBeUndefined();
  });

  it('keeps a pinned body through any number of others until it is unpinned', () => {
    const cache = new BodyCache(2);
    cache.pin('new', block);
    for (let i = 0; i < 10; i++) cache.remember(`old${i}`, block);
    expect(cache.get('new')).toBe(block);
    cache.unpin('new');
    cache.remember('later', block);
    expect(cache.get('new')).toBeUndefined();
  });

  it('forgets a body, pinned or not', () => {
    const cache = new BodyCache(2);
    cache.pin('rejected', block);
    cache.remember('x', block);
    cache.forget('rejected');
    cache.forget('x');
    expect(cache.size).toBe(0);
  });
});
