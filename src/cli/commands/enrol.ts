/**
 * `carechain enrol (--subject PSEUDONYM | --patient ID --pseudonym-key FILE)
 *   (--patient-key FILE | --patient-pubkey KEY --countersignature HEX) [--key FILE] [--fee N] [--node URL] [--json]`
 * The provider (--key) links its subject pseudonym to a patient key, countersigned by the patient:
 * here, from the patient's key file, or ahead, by the patient, with
 * `carechain enrol countersign --key PATIENT.json --provider KEY --subject PSEUDONYM`, which prints the
 * countersignature and needs only the network's name (--network, or --node to ask it).
 */
import { toHex } from '../../chain/hash.js';
import { buildEnrol, countersignEnrolment, verifyTxSignature } from '../../chain/signing.js';
import { encodeTx } from '../../chain/tx.js';
import type { NodeStatus } from '../../http/response-schemas.js';
import { parseCommandArgs, parseCount } from '../args.js';
import { CliError } from '../errors.js';
import { hexArgument } from '../hex-input.js';
import { NodeClient } from '../node-client.js';
import { subjectOf } from '../subject-arg.js';
import { DEFAULT_FEE, DEFAULT_KEY_FILE, SIGNING_FLAGS, loadKey, signingContext } from '../wallet.js';

/** The flags `carechain enrol` takes, countersign included (COMMAND_HELP documents each). */
export const options = {
  subject: { type: 'string' },
  patient: { type: 'string' },
  'pseudonym-key': { type: 'string' },
  'patient-key': { type: 'string' },
  'patient-pubkey': { type: 'string' },
  countersignature: { type: 'string' },
  provider: { type: 'string' },
  network: { type: 'string' },
  ...SIGNING_FLAGS,
} as const;

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, options, true);
  if (positionals.length > 1 || (positionals.length === 1 && positionals[0] !== 'countersign')) {
    throw new CliError('usage: carechain enrol [countersign] --subject PSEUDONYM ... (see carechain enrol --help)');
  }
  const subject = subjectOf(values.subject, values.patient, values['pseudonym-key']);
  return positionals[0] === 'countersign' ? countersign(values, subject) : enrol(values, subject);
}

type Values = ReturnType<typeof parseCommandArgs<typeof options>>['values'];

/** The patient's side: sign "this provider may enrol me as this subject", print the signature. */
async function countersign(values: Values, subject: Uint8Array): Promise<number> {
  const provider = toHex(hexArgument(values.provider, '--provider (the provider’s public key)', 32));
  const patient = loadKey(values.key ?? DEFAULT_KEY_FILE);
  const network = values.network ?? (await new NodeClient(values.node).get<NodeStatus>('/status')).network;
  const signature = toHex(countersignEnrolment({ network: { name: network }, patientPrivateKey: patient.privateKey, provider, subject }));
  if (values.json) process.stdout.write(JSON.stringify({ countersignature: signature, patient: patient.publicKey, provider, subject: toHex(subject), network }) + '\n');
  else {
    process.stdout.write(`${signature}\n`);
    process.stderr.write(`give the provider: --patient-pubkey ${patient.publicKey} --countersignature ${signature}\n`);
  }
  return 0;
}

/** The provider's side: sign the enrolment with the patient's countersignature and send it. */
async function enrol(values: Values, subject: Uint8Array): Promise<number> {
  if (values.provider !== undefined || values.network !== undefined) throw new CliError('--provider and --network go with enrol countersign');
  const local = values['patient-key'];
  const given = values['patient-pubkey'] !== undefined || values.countersignature !== undefined;
  if ((local === undefined) === !given) throw new CliError('give the patient as --patient-key FILE, or as --patient-pubkey KEY with --countersignature HEX');
  const fee = parseCount(values.fee, '--fee', DEFAULT_FEE);
  const patient =
    local !== undefined
      ? { patientPrivateKey: loadKey(local).privateKey }
      : { patient: toHex(hexArgument(values['patient-pubkey'], '--patient-pubkey', 32)), patientSignature: hexArgument(values.countersignature, '--countersignature', 64) };
  const client = new NodeClient(values.node);
  const ctx = await signingContext(client, values.key ?? DEFAULT_KEY_FILE);
  const tx = buildEnrol({ network: ctx.network, privateKey: ctx.key.privateKey, sequence: ctx.sequence, fee, subject, ...patient });
  // Said here, not as the node's bad-signature: what the countersignature must cover.
  if (!verifyTxSignature(tx, ctx.network)) throw new CliError(`the countersignature is not the patient key's over provider ${ctx.key.publicKey}, this subject and network ${ctx.network.name}`);
  const { txid } = await client.post<{ txid: string }>('/txs', { hex: toHex(encodeTx(tx)) });
  if (values.json) process.stdout.write(JSON.stringify({ txid, subject: toHex(subject), patient: toHex(tx.patient), provider: ctx.key.publicKey, fee, sequence: ctx.sequence }) + '\n');
  else process.stdout.write(`${txid}\n`);
  return 0;
}
