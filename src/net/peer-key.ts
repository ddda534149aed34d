import { chmodSync, existsSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { generateKeyPair, privateKeyFromProtobuf, privateKeyToProtobuf } from '@libp2p/crypto/keys';
import type { PrivateKey } from '@libp2p/interface';
import { writeFileDurably } from '../store/durable-file.js';

export const PEER_KEY_FILE = join('p2p', 'peer-key');

/**
 * The node's peer identity: an Ed25519 key created on first start and kept in DATA/p2p/peer-key
 * (libp2p's protobuf encoding, mode 0600), so the node keeps its peer id across restarts and the
 * peers that banned or trusted it recognise it. A file others can read is made private again.
 */
export async function loadPeerKey(dataDir: string): Promise<{ key: PrivateKey; path: string; created: boolean }> {
  const path = join(dataDir, PEER_KEY_FILE);
  if (existsSync(path)) {
    if ((statSync(path).mode & 0o077) !== 0) chmodSync(path, 0o600);
    try {
      return { key: privateKeyFromProtobuf(new Uint8Array(readFileSync(path))), path, created: false };
    } catch (err) {
      throw new Error(`peer key ${path}: not a libp2p private key (${(err as Error).message}); move it aside to make a new identity`);
    }
  }
  const key = await generateKeyPair('Ed25519');
  writeFileDurably(path, privateKeyToProtobuf(key), 0o600);
  return { key, path, created: true };
}
