/**
 * `carechain record FILE (--subject PSEUDONYM | --patient ID --pseudonym-key FILE) --type RESOURCE
 *   [--locator TEXT] [--amends TXID [--relation replaces|appends]] [--salts FILE] [--key FILE]
 *   [--fee N] [--node URL] [--json]`
 * Anchors a document: hashes it here with a fresh random salt, keeps the salt and the document's
 * path in the local salt file, and sends the node only the commitment SHA-256(salt ‖ document).
 * The subject is the provider's HMAC of the patient (64 hex digits), never a patient identifier:
 * given directly, or computed here as HMAC-SHA256(secret in the key file, ID); the ID goes nowhere.
 */
import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { fromDisplayHex, toHex } from '../../chain/hash.js';
import { buildRecord, commitmentOf, newSalt } from '../../chain/signing.js';
import { encodeTx, txidHex, type RecordRelation } from '../../chain/tx.js';
import { parseCommandArgs, parseCount } from '../args.js';
import { CliError } from '../errors.js';
import { hexArgument } from '../hex-input.js';
import { NodeClient } from '../node-client.js';
import { DEFAULT_SALT_FILE, readSalts, writeSalts, type SaltEntry } from '../salt-store.js';
import { subjectOf } from '../subject-arg.js';
import { DEFAULT_FEE, DEFAULT_KEY_FILE, SIGNING_FLAGS, signingContext } from '../wallet.js';

/** The flags `carechain record` takes (COMMAND_HELP documents each). */
export const options = {
  subject: { type: 'string' },
  patient: { type: 'string' },
  'pseudonym-key': { type: 'string' },
  type: { type: 'string' },
  locator: { type: 'string', default: '' },
  amends: { type: 'string' },
  relation: { type: 'string' },
  salts: { type: 'string' },
  ...SIGNING_FLAGS,
} as const;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, options, true);
  if (positionals.length !== 1) throw new CliError('usage: carechain record FILE --subject PSEUDONYM --type RESOURCE [--locator TEXT] [--amends TXID [--relation replaces|appends]]');
  const documentPath = resolve(positionals[0]!);
  const subject = subjectOf(values.subject, values.patient, values['pseudonym-key']);
  const resourceType = values.type;
  if (!resourceType || !/^[A-Z][A-Za-z]{1,63}$/.test(resourceType)) throw new CliError('--type must be a FHIR resource name such as DocumentReference or Observation');
  if (values.relation !== undefined && values.amends === undefined) throw new CliError('--relation goes with --amends');
  const previous = values.amends === undefined ? undefined : { txid: hexArgument(values.amends, '--amends', 32), relation: relationOf(values.relation ?? 'replaces') };
  const fee = parseCount(values.fee, '--fee', DEFAULT_FEE);
  const saltFile = resolve(values.salts ?? DEFAULT_SALT_FILE);

  let document: Buffer;
  try {
    document = readFileSync(documentPath);
  } catch (err) {
    throw new CliError(`cannot read ${documentPath}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
  const salt = newSalt();
  const commitment = commitmentOf(salt, document);

  const client = new NodeClient(values.node);
  const ctx = await signingContext(client, values.key ?? DEFAULT_KEY_FILE);
  const tx = buildRecord({
    network: ctx.network,
    privateKey: ctx.key.privateKey,
    sequence: ctx.sequence,
    fee,
    subject,
    resourceType,
    commitment,
    locator: values.locator ?? '',
    // Txids are given in display order (as the node shows them); the transaction holds internal order.
    ...(previous ? { previous: { txid: fromDisplayHex(toHex(previous.txid)), relation: previous.relation } } : {}),
  });
  const txid = txidHex(tx);
  const entry: SaltEntry = {
    txid,
    network: ctx.network.name,
    document: documentPath,
    salt: toHex(salt),
    commitment: toHex(commitment),
    subject: toHex(subject),
    resourceType,
    locator: values.locator ?? '',
    ...(previous ? { amends: { txid: toHex(previous.txid), relation: previous.relation } } : {}),
    createdAt: new Date().toISOString(),
  };
  // The salt is saved before the node sees the commitment: a record whose salt was lost can never be opened.
  const before = readSalts(saltFile);
  writeSalts(saltFile, [...before, entry]);
  try {
    await client.post<{ txid: string }>('/txs', { hex: toHex(encodeTx(tx)) });
  } catch (err) {
    writeSalts(saltFile, before);
    throw err;
  }
  if (values.json) process.stdout.write(JSON.stringify({ ...entry, saltFile }) + '\n');
  else {
    process.stdout.write(`${txid}\n`);
    process.stderr.write(
      `salt kept in ${saltFile}; once mined: carechain receipt ${txid} && carechain verify receipt-${txid}.json --document ${documentPath} --salt ${entry.salt}\n`,
    );
  }
  return 0;
}

function relationOf(text: string): RecordRelation {
  if (text !== 'replaces' && text !== 'appends') throw new CliError(`--relation must be replaces or appends, got "${text}"`);
  return text;
}
