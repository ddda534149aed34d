import type { KeyPair } from '../chain/keys.js';
import { keyFilePermissionWarning, readKeyFile } from '../chain/key-file.js';
import type { AccountView, NodeStatus } from '../http/response-schemas.js';
import { CliError } from './errors.js';
import { DEFAULT_NODE_URL, type NodeClient } from './node-client.js';

/** What a client needs to sign for a node: its key, the network name (signed over), the next sequence. */
export interface SigningContext {
  key: KeyPair;
  network: { name: string };
  sequence: number;
}

export const DEFAULT_KEY_FILE = 'carechain-key.json';
/** Base units; the node's minimum is 1, and fees order the mempool. */
export const DEFAULT_FEE = 1000;

/** The flags every command that signs a transaction for a node takes (COMMAND_HELP documents them). */
export const SIGNING_FLAGS = {
  key: { type: 'string', short: 'k' },
  fee: { type: 'string' },
  node: { type: 'string', default: DEFAULT_NODE_URL },
  json: { type: 'boolean', default: false },
} as const;

export function loadKey(path: string): KeyPair {
  const warning = keyFilePermissionWarning(path);
  if (warning) process.stderr.write(`warning: ${warning}\n`);
  try {
    return readKeyFile(path);
  } catch (err) {
    throw new CliError(`${(err as Error).message} (make one with: carechain keygen --out ${path})`);
  }
}

/** Ask the node which network it runs (the signature covers the name) and the key's next sequence. */
export async function signingContext(client: NodeClient, keyFile: string): Promise<SigningContext> {
  const key = loadKey(keyFile);
  const [status, account] = await Promise.all([
    client.get<NodeStatus>('/status'),
    client.get<AccountView>(`/accounts/${key.publicKey}`),
  ]);
  // pendingSequence counts this key's transactions still in the mempool, so sends can follow each other.
  return { key, network: { name: status.network }, sequence: account.pendingSequence };
}
