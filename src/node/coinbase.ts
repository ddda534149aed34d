import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { keyFilePermissionWarning, readKeyFile, writeKeyFile } from '../chain/key-file.js';
import { generateKeyPair } from '../chain/keys.js';

/** Where block rewards go: a key given on the command line, or the node's own key in its data dir. */
export interface CoinbaseKey {
  publicKey: string;
  /** How the key was chosen, for the start-up log. */
  origin: 'flag' | 'node-key-created' | 'node-key';
  /** The node key's file, when one is used. */
  path?: string;
  /** Set when the node key file can be read by others (see keyFilePermissionWarning). */
  warning?: string;
}

export const NODE_KEY_FILE = 'node-key.json';

/**
 * `--coinbase KEY` when given; otherwise the key pair in `<data>/node-key.json`, generated on the
 * first start and kept (mode 0600, fsync'd) so every later start pays the same account.
 */
export function resolveCoinbase(dataDir: string, flag: string | undefined): CoinbaseKey {
  if (flag !== undefined) return { publicKey: flag.toLowerCase(), origin: 'flag' };
  const path = join(dataDir, NODE_KEY_FILE);
  if (existsSync(path)) {
    const warning = keyFilePermissionWarning(path);
    return { publicKey: readKeyFile(path).publicKey, origin: 'node-key', path, ...(warning ? { warning } : {}) };
  }
  const pair = generateKeyPair();
  writeKeyFile(path, pair);
  return { publicKey: pair.publicKey, origin: 'node-key-created', path };
}
