import { createHash } from 'node:crypto';

/**
 * Hashing and hex helpers. The chain uses node:crypto directly (never the WASM kernel), so the
 * consensus code does not depend on the miner's build. Hashes are kept in "internal" byte order (as
 * SHA-256 produced them); Bitcoin-style display order is the reverse.
 */

/** SHA-256 of the concatenation of `parts`. */
export function sha256(...parts: Uint8Array[]): Uint8Array {
  const h = createHash('sha256');
  for (const p of parts) h.update(p);
  return new Uint8Array(h.digest());
}

/** SHA-256d: SHA-256 applied twice, Bitcoin's block and transaction hash. */
export function sha256d(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(createHash('sha256').update(data).digest()).digest());
}

/** Plain hex of bytes, in the order they are stored. */
export function toHex(bytes: Uint8Array): string {
  return Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('hex');
}

/** Bytes from plain hex; throws a RangeError on odd length, non-hex digits or a wrong length. */
export function fromHex(hex: string, expectedLength?: number): Uint8Array {
  if (hex.length % 2 !== 0 || !/^[0-9a-fA-F]*$/.test(hex)) throw new RangeError('not a hex string');
  const bytes = new Uint8Array(Buffer.from(hex, 'hex'));
  if (expectedLength !== undefined && bytes.length !== expectedLength) {
    throw new RangeError(`expected ${expectedLength} bytes of hex, got ${bytes.length}`);
  }
  return bytes;
}

/** A hash shown as explorers show it: byte-reversed hex. */
export function toDisplayHex(hash: Uint8Array): string {
  return toHex(Uint8Array.from(hash).reverse());
}

/** A 32-byte hash from its display (byte-reversed) hex. */
export function fromDisplayHex(hex: string): Uint8Array {
  return fromHex(hex, 32).reverse();
}

/** Byte-wise equality. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  return a.length === b.length && Buffer.compare(a, b) === 0;
}
