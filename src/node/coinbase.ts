import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, publicKeyOf, type KeyPair } from '../chain/keys.js';
import { writeFileDurably } from './durable-file.js';

/** Where block rewards go: a key given on the command line, or the node's own key in its data dir. */
export interface CoinbaseKey {
  publicKey: string;
  /** How the key was chosen, for the start-up log. */
  origin: 'flag' | 'node-key-created' | 'node-key';
  /** The node key's file, when one is used. */
  path?: string;
}

export const NODE_KEY_FILE = 'node-key.json';

/**
 * `--coinbase KEY` when given; otherwise the key pair in `<data>/node-key.json`, generated on the
 * first start and kept (mode 0600, fsync'd) so every later start pays the same account.
 */
export function resolveCoinbase(dataDir: string, flag: string | undefined): CoinbaseKey {
  if (flag !== undefined) return { publicKey: flag.toLowerCase(), origin: 'flag' };
  const path = join(dataDir, NODE_KEY_FILE);
  if (existsSync(path)) return { publicKey: readKeyFile(path).publicKey, origin: 'node-key', path };
  const pair = generateKeyPair();
  writeFileDurably(path, JSON.stringify(pair, null, 2) + '\n', 0o600);
  return { publicKey: pair.publicKey, origin: 'node-key-created', path };
}

/** A key file as `carechain keygen` writes it: `{ publicKey, privateKey }` in hex; checked for consistency. */
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
