import { readFileSync } from 'node:fs';
import { parseCommandArgs } from '../args.js';
import { CliError } from '../errors.js';
import { verifyReceipt } from '../../chain/receipt.js';
import { fromHex } from '../../chain/hash.js';
import { describeTx } from '../../chain/tx-summary.js';

/** The flags `carechain verify` takes (COMMAND_HELP documents each). */
export const options = { document: { type: 'string' }, salt: { type: 'string' }, json: { type: 'boolean' } } as const;

/**
 * `carechain verify RECEIPT.json [--document FILE --salt HEX] [--json]`: check a receipt offline —
 * signature, Merkle path, header hash ≤ target, and with the document and salt the commitment.
 * Exits 0 when valid, 1 when not.
 */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, options, true);
  if (positionals.length !== 1) throw new CliError('usage: carechain verify RECEIPT.json [--document FILE --salt HEX] [--json]');
  if ((values.document === undefined) !== (values.salt === undefined)) throw new CliError('--document and --salt go together');

  const receipt = readJson(positionals[0]!);
  let opening: { document: Uint8Array; salt: Uint8Array } | undefined;
  if (values.document !== undefined && values.salt !== undefined) {
    let salt: Uint8Array;
    try {
      salt = fromHex(values.salt.trim());
    } catch {
      throw new CliError('--salt must be hex');
    }
    opening = { document: readFile(values.document), salt };
  }

  const verdict = verifyReceipt(receipt, opening);
  // What the proven transaction says (a consent's grantee, actions and expiry; a revocation's consent).
  const summary = verdict.tx ? describeTx(verdict.tx) : undefined;
  if (values.json) {
    const { tx: _tx, ...rest } = verdict;
    process.stdout.write(JSON.stringify({ ...rest, ...(summary ? { summary } : {}) }) + '\n');
  } else {
    for (const c of verdict.checks) process.stdout.write(`${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(13)} ${c.detail}\n`);
    if (summary) process.stdout.write(`      ${'transaction'.padEnd(13)} ${summary}\n`);
    process.stdout.write(verdict.valid ? 'VALID: the receipt proves the transaction is in a block with valid proof of work\n' : `INVALID: ${verdict.reason}\n`);
  }
  return verdict.valid ? 0 : 1;
}

function readJson(path: string): unknown {
  const text = readFile(path).toString();
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${path} is not JSON: ${(err as Error).message}`);
  }
}

function readFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
