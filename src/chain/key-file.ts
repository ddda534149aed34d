import { readFileSync, statSync } from 'node:fs';
import { writeFileDurably } from '../store/durable-file.js';
import { publicKeyOf, type KeyPair } from './keys.js';

/**
 * Key files as `carechain keygen` writes them: `{ publicKey, privateKey }` in hex, mode 0600. The
 * node (its coinbase key) and the CLI (signing) read them here, so both check them the same way.
 */

/** A key file as `carechain keygen` writes it; checked for consistency. */
export function readKeyFile(path: string): KeyPair {
  let parsed: Partial<KeyPair>;
  try {
    parsed = JSON.parse(readFileSync(path, 'utf8')) as Partial<KeyPair>;
  } catch (err) {
    throw new Error(`key file ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const { privateKey } = parsed;
  if (typeof privateKey !== 'string' || !/^[0-9a-f]{64}$/i.test(privateKey)) throw new Error(`key file ${path}: "privateKey" must be 64 hex digits`);
  const publicKey = publicKeyOf(privateKey.toLowerCase());
  if (parsed.publicKey !== undefined && String(parsed.publicKey).toLowerCase() !== publicKey) {
    throw new Error(`key file ${path}: "publicKey" does not belong to "privateKey"`);
  }
  return { publicKey, privateKey: privateKey.toLowerCase() };
}

/** Write a new key file, readable by its owner only, crash-safe. */
export function writeKeyFile(path: string, pair: KeyPair): void {
  writeFileDurably(path, JSON.stringify(pair, null, 2) + '\n', 0o600);
}

/**
 * A warning, as ssh gives, when a private key file can be read or written by others (the private
 * key is the account: whoever reads it can spend and sign records), or undefined when it is private.
 */
export function keyFilePermissionWarning(path: string): string | undefined {
  if (process.platform === 'win32') return undefined;
  let mode: number;
  try {
    mode = statSync(path).mode & 0o777;
  } catch {
    return undefined;
  }
  if ((mode & 0o077) === 0) return undefined;
  const octal = mode.toString(8).padStart(4, '0');
  return `key file ${path} has mode ${octal}: others can read the private key; fix it with: chmod 600 ${path}`;
}
