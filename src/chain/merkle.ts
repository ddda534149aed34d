import { sha256d } from './hash.js';

/**
 * Bitcoin's Merkle tree over txids (internal byte order): pairwise SHA-256d, the last hash doubled on
 * odd levels. That doubling makes [a, b, c] and [a, b, c, c] share a root, which is why blocks with a
 * duplicate txid are rejected.
 */

export function merkleRoot(leaves: Uint8Array[]): Uint8Array {
  if (leaves.length === 0) throw new RangeError('a Merkle tree needs at least one leaf');
  let level = leaves;
  while (level.length > 1) level = nextLevel(level);
  return level[0]!;
}

/** The sibling hashes from leaf `index` up to the root. */
export function merklePath(leaves: Uint8Array[], index: number): Uint8Array[] {
  if (index < 0 || index >= leaves.length) throw new RangeError(`leaf ${index} outside 0..${leaves.length - 1}`);
  const path: Uint8Array[] = [];
  let level = leaves;
  let i = index;
  while (level.length > 1) {
    const sibling = i ^ 1;
    path.push(level[sibling < level.length ? sibling : i]!);
    level = nextLevel(level);
    i >>= 1;
  }
  return path;
}

/** The root a leaf and its path imply; compare it with the header's Merkle root. */
export function rootFromPath(leaf: Uint8Array, index: number, path: Uint8Array[]): Uint8Array {
  let hash = leaf;
  let i = index;
  for (const sibling of path) {
    hash = i & 1 ? hashPair(sibling, hash) : hashPair(hash, sibling);
    i = Math.floor(i / 2);
  }
  return hash;
}

function nextLevel(level: Uint8Array[]): Uint8Array[] {
  const next: Uint8Array[] = [];
  for (let i = 0; i < level.length; i += 2) next.push(hashPair(level[i]!, level[i + 1] ?? level[i]!));
  return next;
}

function hashPair(left: Uint8Array, right: Uint8Array): Uint8Array {
  const both = new Uint8Array(64);
  both.set(left, 0);
  both.set(right, 32);
  return sha256d(both);
}
