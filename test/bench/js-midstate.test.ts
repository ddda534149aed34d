import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { JsMidstateHasher } from '../../bench/js-midstate.js';

// The benchmark's pure-JS contender must compute what it claims to, or its rate means nothing.
describe('js-midstate contender', () => {
  it("returns the top 32 bits of each nonce's SHA-256d", () => {
    const header = createHash('sha512').update('header').digest().subarray(0, 80);
    const padded = Buffer.concat([header, Buffer.alloc(80 - header.length)]);
    const hasher = new JsMidstateHasher(padded);
    for (const nonce of [0, 1, 2083236893, 0xffffffff, 123456789]) {
      const copy = Buffer.from(padded);
      copy.writeUInt32LE(nonce >>> 0, 76);
      const hash = createHash('sha256').update(createHash('sha256').update(copy).digest()).digest();
      expect(hasher.topWord(nonce)).toBe(hash.readUInt32LE(28));
    }
  });
});
