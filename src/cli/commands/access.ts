/**
 * `carechain access RECORD_TXID --purpose CODE [--key FILE] [--fee N] [--node URL] [--json]`
 * What a provider's document service runs before it serves a document: look the record up, ask the
 * chain whether this provider (--key) may read it for this purpose, log the read on chain, and print
 * the record's locator. A read no consent covers is refused, except for purpose ETREAT: then it is a
 * break-glass read, logged and flagged as one.
 */
import { fromDisplayHex, toHex } from '../../chain/hash.js';
import { BREAK_GLASS_PURPOSE } from '../../chain/purposes.js';
import { buildAccess } from '../../chain/signing.js';
import { encodeTx } from '../../chain/tx.js';
import type { ConsentCheck, RecordView } from '../../http/response-schemas.js';
import { parseCommandArgs, parseCount } from '../args.js';
import { purposeArgument } from '../consent-args.js';
import { CliError } from '../errors.js';
import { hexArgument } from '../hex-input.js';
import { NodeClient, NodeProblem } from '../node-client.js';
import { DEFAULT_FEE, DEFAULT_KEY_FILE, SIGNING_FLAGS, signingContext } from '../wallet.js';

/** The flags `carechain access` takes (COMMAND_HELP documents each). */
export const options = {
  purpose: { type: 'string' },
  ...SIGNING_FLAGS,
} as const;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, options, true);
  if (positionals.length !== 1) throw new CliError('usage: carechain access RECORD_TXID --purpose CODE [--key FILE]');
  const recordTxid = toHex(hexArgument(positionals[0], 'RECORD_TXID', 32));
  if (values.purpose === undefined) throw new CliError('--purpose is required, e.g. TREAT (or ETREAT for an emergency)');
  const purpose = purposeArgument(values.purpose);
  const fee = parseCount(values.fee, '--fee', DEFAULT_FEE);
  const client = new NodeClient(values.node);
  const ctx = await signingContext(client, values.key ?? DEFAULT_KEY_FILE);

  const record = await client.get<RecordView>(`/records/${recordTxid}`).catch((err: unknown) => {
    if (err instanceof NodeProblem && err.status === 404) throw new CliError(`no record ${recordTxid} on the chain`, 1);
    throw err;
  });
  let check: ConsentCheck | null = null;
  if (record.owner !== ctx.key.publicKey) {
    const query = new URLSearchParams({ subject: record.subject, grantee: ctx.key.publicKey, action: 'read', type: record.resourceType, purpose });
    check = await client.get<ConsentCheck>(`/consents/check?${query}`);
    if (!check.allowed && purpose !== BREAK_GLASS_PURPOSE) throw new CliError(`not allowed to read ${recordTxid}: ${check.reason}: ${check.detail}`, 1);
  }
  const breakGlass = check !== null && !check.allowed;
  const tx = buildAccess({ network: ctx.network, privateKey: ctx.key.privateKey, sequence: ctx.sequence, fee, record: fromDisplayHex(recordTxid), purpose });
  const { txid } = await client.post<{ txid: string }>('/txs', { hex: toHex(encodeTx(tx)) });
  const consent = check?.allowed ? check.consent : null;
  if (values.json) {
    process.stdout.write(JSON.stringify({ txid, record: recordTxid, locator: record.locator, subject: record.subject, resourceType: record.resourceType, purpose, consent, breakGlass }) + '\n');
  } else {
    process.stdout.write(`${record.locator}\n`);
    const basis = breakGlass ? `BREAK-GLASS (no consent: ${check!.reason}); the patient will see it flagged` : consent ? `under consent ${consent}` : "as the record's owner";
    process.stderr.write(`access logged in ${txid}, ${basis}\n`);
  }
  return 0;
}
