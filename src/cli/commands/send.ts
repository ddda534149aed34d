/**
 * `carechain send --to KEY --amount N [--fee N] [--key FILE] [--node URL] [--json]`: a signed
 * transfer of N base units (1 coin = 10^8) from the key in FILE to the public key KEY. The sequence
 * comes from the node's /accounts; prints the txid once the node has accepted it.
 */
import { buildTransfer } from '../../chain/signing.js';
import { encodeTx } from '../../chain/tx.js';
import { parseCommandArgs, parseCount } from '../args.js';
import { hexArgument } from '../hex-input.js';
import { NodeClient } from '../node-client.js';
import { DEFAULT_FEE, DEFAULT_KEY_FILE, SIGNING_FLAGS, signingContext } from '../wallet.js';
import { CliError } from '../errors.js';

/** The flags `carechain send` takes (COMMAND_HELP documents each). */
export const options = {
  to: { type: 'string' },
  amount: { type: 'string' },
  ...SIGNING_FLAGS,
} as const;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, options);
  const recipient = Buffer.from(hexArgument(values.to, '--to', 32)).toString('hex');
  const amount = parseCount(values.amount, '--amount');
  if (amount < 1) throw new CliError('--amount must be at least 1 base unit');
  const fee = parseCount(values.fee, '--fee', DEFAULT_FEE);
  const client = new NodeClient(values.node);
  const ctx = await signingContext(client, values.key ?? DEFAULT_KEY_FILE);
  const tx = buildTransfer({ network: ctx.network, privateKey: ctx.key.privateKey, sequence: ctx.sequence, fee, recipient, amount });
  const { txid } = await client.post<{ txid: string }>('/txs', { hex: Buffer.from(encodeTx(tx)).toString('hex') });
  if (values.json) process.stdout.write(JSON.stringify({ txid, from: ctx.key.publicKey, to: recipient, amount, fee, sequence: ctx.sequence }) + '\n');
  else process.stdout.write(`${txid}\n`);
  return 0;
}
