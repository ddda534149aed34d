/**
 * `carechain headers export [--node URL] [--out FILE] [--format binary|hex] [--json]`: save the
 * node's best-chain headers from genesis to a file, for `carechain verify --headers FILE` to hold
 * receipts against offline. The file is checked from genesis (links, proof of work, retarget rule)
 * before it is written, so a node that sends a broken chain gets no file.
 */
import { resolve } from 'node:path';
import { checkHeadersFile, encodeHeadersFile, type HeadersFileFormat } from '../../chain/headers-file.js';
import { headerHash } from '../../chain/header.js';
import { toDisplayHex } from '../../chain/hash.js';
import { log2 } from '../../chain/receipt.js';
import { writeFileDurably } from '../../store/durable-file.js';
import { parseCommandArgs } from '../args.js';
import { CliError } from '../errors.js';
import { DEFAULT_NODE_URL, NodeClient } from '../node-client.js';

/** The flags `carechain headers` takes (COMMAND_HELP documents each). */
export const options = {
  node: { type: 'string', default: DEFAULT_NODE_URL },
  out: { type: 'string', short: 'o' },
  format: { type: 'string', default: 'binary' },
  json: { type: 'boolean', default: false },
} as const;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, options, true);
  if (positionals.length !== 1 || positionals[0] !== 'export') throw new CliError('usage: carechain headers export [--node URL] [--out FILE] [--format binary|hex] [--json]');
  const format = values.format as HeadersFileFormat;
  if (format !== 'binary' && format !== 'hex') throw new CliError(`--format must be binary or hex, got "${values.format}"`);
  const client = new NodeClient(values.node);

  const { network } = await client.get<{ network: string }>('/status');
  const headers = await client.headers(0);
  const file = { network, headers };
  let check;
  try {
    check = checkHeadersFile(file, Math.floor(Date.now() / 1000));
  } catch (err) {
    throw new CliError(`the node's headers are not a chain to save: ${(err as Error).message}`, 1);
  }
  if (check.failure) throw new CliError(`the node's headers are not a chain to save: ${check.failure}`, 1);

  const path = resolve(values.out ?? `headers-${network}.${format === 'hex' ? 'txt' : 'bin'}`);
  try {
    writeFileDurably(path, encodeHeadersFile(file, format));
  } catch (err) {
    throw new CliError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 1);
  }
  const tipHeight = headers.length - 1;
  const tip = toDisplayHex(headerHash(headers[tipHeight]!));
  const work = check.report.baseWork + check.report.workOnTop;
  if (values.json) {
    process.stdout.write(JSON.stringify({ file: path, network, format, count: headers.length, tipHeight, tip, work: work.toString() }) + '\n');
  } else {
    process.stdout.write(`${path}: ${headers.length} ${network} headers, genesis to height ${tipHeight} (${tip}), ~2^${log2(work).toFixed(1)} hashes of work\n`);
  }
  return 0;
}
