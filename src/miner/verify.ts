/** Independent re-checks on the main thread, with node:crypto, of what the kernel claims. */
import { createHash } from 'node:crypto';

export function sha256(data: Uint8Array): Uint8Array {
  return new Uint8Array(createHash('sha256').update(data).digest());
}

export function sha256d(data: Uint8Array): Uint8Array {
  return sha256(sha256(data));
}

/** hash ≤ target, both read as 256-bit little-endian numbers (Bitcoin's rule). */
export function meetsTarget(hash: Uint8Array, target: Uint8Array): boolean {
  for (let i = 31; i >= 0; i--) {
    if (hash[i] !== target[i]) return hash[i]! < target[i]!;
  }
  return true;
}

/** The header with `nonce` written at bytes 76..79, little-endian. */
export function withNonce(header: Uint8Array, nonce: number): Uint8Array {
  const out = Uint8Array.from(header);
  new DataView(out.buffer).setUint32(76, nonce, true);
  return out;
}

/** SHA-256(prefix ‖ decimal nonce) as hex, and whether it starts with `zeros` zero digits. */
export function puzzleHash(prefix: Uint8Array, nonce: number): string {
  return createHash('sha256').update(prefix).update(String(nonce)).digest('hex');
}

export function solvesPuzzle(hashHex: string, zeros: number): boolean {
  return hashHex.startsWith('0'.repeat(zeros));
}
