import { existsSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';

/**
 * The shared folder beside the repository (`../shared`): /work/main/../shared in production, and
 * /work/shared for a worktree elsewhere. Files there are third-party; tests read, never copy them.
 */
export function sharedPath(...parts: string[]): string | undefined {
  const repo = fileURLToPath(new URL('../../', import.meta.url));
  for (const base of [join(repo, '..', 'shared'), '/work/shared']) {
    const path = join(base, ...parts);
    if (existsSync(path)) return path;
  }
  return undefined;
}

export interface EspMinerVector {
  notify: { prevhash: string; version: string; nbits: string; ntime: string; merkle_branch: string[] };
  coinbase: string;
  submit: { ntime: string; nonce: string };
  expect: { merkle_root_internal: string; prevhash_display: string; header: string; hash_display: string; share_difficulty: number; difficulty_1_target: string };
}

export function espMinerVector(): EspMinerVector | undefined {
  const path = sharedPath('vectors', 'stratum-esp-miner.json');
  return path ? (JSON.parse(readFileSync(path, 'utf8')) as EspMinerVector) : undefined;
}
