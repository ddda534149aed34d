import { createHash } from 'node:crypto';

/** SHA-256d by node:crypto: the reference every kernel result is checked against. */
export function referenceSha256d(data: Uint8Array): Buffer {
  return createHash('sha256').update(createHash('sha256').update(data).digest()).digest();
}

/** A 32-byte hash or target read as a 256-bit little-endian number. */
export function asNumber(bytes: Uint8Array): bigint {
  return BigInt(`0x${Buffer.from(bytes).reverse().toString('hex') || '0'}`);
}

export function numberToTarget(value: bigint): Uint8Array {
  return new Uint8Array(Buffer.from(value.toString(16).padStart(64, '0'), 'hex').reverse());
}

export function withNonce(header: Uint8Array, nonce: number): Uint8Array {
  const copy = Uint8Array.from(header);
  new DataView(copy.buffer).setUint32(76, nonce, true);
  return copy;
}

/** A deterministic pseudo-random byte source (xorshift32), so a failing case can be replayed. */
export function randomBytes(seed: number): (length: number) => Uint8Array {
  let x = seed >>> 0 || 1;
  return (length) => {
    const out = new Uint8Array(length);
    for (let i = 0; i < length; i++) {
      x ^= x << 13; x >>>= 0;
      x ^= x >>> 17;
      x ^= x << 5; x >>>= 0;
      out[i] = x & 0xff;
    }
    return out;
  };
}
