/**
 * `carechain keygen [--out FILE] [--force] [--json]`: a new Ed25519 key pair, written to FILE
 * (default ./carechain-key.json, mode 0600, never over an existing file without --force); prints
 * the public key, which is the account address.
 */
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { generateKeyPair } from '../../chain/keys.js';
import { writeKeyFile } from '../../chain/key-file.js';
import { parseCommandArgs } from '../args.js';
import { CliError } from '../errors.js';
import { DEFAULT_KEY_FILE } from '../wallet.js';

/** The flags `carechain keygen` takes (COMMAND_HELP documents each). */
export const options = {
  out: { type: 'string', short: 'o' },
  force: { type: 'boolean', default: false },
  json: { type: 'boolean', default: false },
} as const;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, options);
  const path = resolve(values.out ?? DEFAULT_KEY_FILE);
  if (existsSync(path) && !values.force) throw new CliError(`${path} exists: a key is not overwritten without --force`);
  const pair = generateKeyPair();
  try {
    writeKeyFile(path, pair);
  } catch (err) {
    throw new CliError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 1);
  }
  if (values.json) process.stdout.write(JSON.stringify({ publicKey: pair.publicKey, keyFile: path }) + '\n');
  else {
    process.stdout.write(`${pair.publicKey}\n`);
    process.stderr.write(`key written to ${path} (keep it secret; the line above is the public key)\n`);
  }
  return 0;
}
