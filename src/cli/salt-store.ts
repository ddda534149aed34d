import { existsSync, readFileSync } from 'node:fs';
import { writeFileDurably } from '../store/durable-file.js';
import { CliError } from './errors.js';

/**
 * The local file where `carechain record` keeps what never goes on chain: each record's salt and
 * the path of its document. Without the salt nobody, the provider included, can prove later that a
 * document is the one anchored. Rewritten whole and fsync'd on each change.
 */
export interface SaltEntry {
  txid: string;
  network: string;
  document: string;
  salt: string;
  commitment: string;
  subject: string;
  resourceType: string;
  locator: string;
  amends?: { txid: string; relation: string };
  createdAt: string;
}

export const DEFAULT_SALT_FILE = 'carechain-salts.json';

export function readSalts(path: string): SaltEntry[] {
  if (!existsSync(path)) return [];
  try {
    const parsed = JSON.parse(readFileSync(path, 'utf8')) as unknown;
    if (!Array.isArray(parsed)) throw new Error('not a JSON array');
    return parsed as SaltEntry[];
  } catch (err) {
    throw new CliError(`salt file ${path}: ${(err as Error).message}; not touching it`);
  }
}

export function writeSalts(path: string, entries: SaltEntry[]): void {
  writeFileDurably(path, JSON.stringify(entries, null, 2) + '\n', 0o600);
}
