import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { loadKernel, type KernelFlavor } from '../../src/kernel/kernel.js';
import { randomBytes, referenceSha256d } from './reference.js';

// FIPS 180-4 / NIST CSRC example vectors for SHA-256.
const NIST_VECTORS: Array<[string, string]> = [
  ['', 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855'],
  ['abc', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad'],
  ['abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq', '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1'],
  [
    'abcdefghbcdefghicdefghijdefghijkefghijklfghijklmghijklmnhijklmnoijklmnopjklmnopqklmnopqrlmnopqrsmnopqrstnopqrstu',
    'cf5b16a778af8380036ce59e7b0492370b249b11e8f07a51afac45037afee9d1',
  ],
];

describe.each<KernelFlavor>(['simd', 'scalar'])('SHA-256, %s build', (flavor) => {
  const kernel = loadKernel(flavor);

  it.each(NIST_VECTORS)('NIST vector %j', (message, digest) => {
    expect(Buffer.from(kernel.sha256(Buffer.from(message, 'ascii'))).toString('hex')).toBe(digest);
  });

  it('NIST vector: one million "a" (in many input pieces)', () => {
    const digest = kernel.sha256(Buffer.alloc(1_000_000, 'a'));
    expect(Buffer.from(digest).toString('hex')).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });

  it('matches node:crypto on random messages of every length 0..300, single and double', () => {
    const random = randomBytes(flavor === 'simd' ? 0x5eed : 0xbeef);
    for (let length = 0; length <= 300; length++) {
      for (let repeat = 0; repeat < 10; repeat++) {
        const message = random(length);
        expect(Buffer.from(kernel.sha256(message)).toString('hex')).toBe(createHash('sha256').update(message).digest('hex'));
        expect(Buffer.from(kernel.sha256d(message)).equals(referenceSha256d(message))).toBe(true);
      }
    }
  });
});
