/**
 * `carechain receipt TXID [--out FILE] [--wait SECONDS] [--node URL] [--json]`: fetch the proof that
 * a transaction is in a block (the transaction, its Merkle path, the block header) and save it as
 * JSON (default ./receipt-TXID.json) for `carechain verify` to check offline. With --wait, a
 * transaction still in the mempool is waited for.
 */
import { resolve } from 'node:path';
import type { Receipt } from '../../http/response-schemas.js';
import { writeFileDurably } from '../../store/durable-file.js';
import { parseCommandArgs, parseCount } from '../args.js';
import { CliError } from '../errors.js';
import { hexArgument } from '../hex-input.js';
import { DEFAULT_NODE_URL, NodeClient, NodeProblem } from '../node-client.js';

/** The flags `carechain receipt` takes (COMMAND_HELP documents each). */
export const options = {
  out: { type: 'string', short: 'o' },
  wait: { type: 'string' },
  node: { type: 'string', default: DEFAULT_NODE_URL },
  json: { type: 'boolean', default: false },
} as const;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, options, true);
  if (positionals.length !== 1) throw new CliError('usage: carechain receipt TXID [--out FILE] [--wait SECONDS] [--node URL]');
  const txid = Buffer.from(hexArgument(positionals[0], 'TXID', 32)).toString('hex');
  const waitMs = parseCount(values.wait, '--wait', 0) * 1000;
  const client = new NodeClient(values.node);

  const deadline = Date.now() + waitMs;
  let receipt: Receipt;
  for (;;) {
    try {
      receipt = await client.get<Receipt>(`/txs/${txid}/receipt`);
      break;
    } catch (err) {
      // Known to the node but still in the mempool: no receipt yet.
      const pending = err instanceof NodeProblem && err.slug === 'receipt-pending';
      if (!pending || Date.now() >= deadline) throw err;
      await new Promise((r) => setTimeout(r, 500));
    }
  }
  const path = resolve(values.out ?? `receipt-${txid}.json`);
  try {
    writeFileDurably(path, JSON.stringify(receipt, null, 2) + '\n');
  } catch (err) {
    throw new CliError(`cannot write ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`, 1);
  }
  if (values.json) process.stdout.write(JSON.stringify({ txid, file: path, blockHash: receipt.blockHash, height: receipt.height, confirmations: receipt.confirmations }) + '\n');
  else process.stdout.write(`${path}\n`);
  return 0;
}
