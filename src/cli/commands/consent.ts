/**
 * `carechain consent grant --subject PSEUDONYM --to KEY --actions read,append,amend [--types T,…]
 *   [--purposes P,…] [--expires WHEN | --expires-height N] [--key FILE] [--fee N] [--node URL] [--json]`
 * `carechain consent revoke TXID [--key FILE] [--fee N] [--node URL] [--json]`
 * `carechain consent list --subject PSEUDONYM [--at WHEN] [--height N] [--node URL] [--json]`
 * The patient's commands: grant and revoke are signed by the patient key enrolled for the subject
 * (--key); list shows the subject's consents and their status at the next block, or at a point.
 */
import { fromDisplayHex, toHex } from '../../chain/hash.js';
import { buildConsent, buildRevoke } from '../../chain/signing.js';
import { encodeTx } from '../../chain/tx.js';
import type { ConsentView, SubjectConsents } from '../../http/response-schemas.js';
import { parseCommandArgs, parseCount } from '../args.js';
import { actionsArgument, expiryArgument, purposesArgument, timeArgument, typesArgument } from '../consent-args.js';
import { CliError } from '../errors.js';
import { hexArgument } from '../hex-input.js';
import { NodeClient } from '../node-client.js';
import { DEFAULT_FEE, DEFAULT_KEY_FILE, SIGNING_FLAGS, signingContext } from '../wallet.js';

/** The flags of grant, revoke and list together (COMMAND_HELP documents each). */
export const options = {
  subject: { type: 'string' },
  to: { type: 'string' },
  actions: { type: 'string' },
  types: { type: 'string' },
  purposes: { type: 'string' },
  expires: { type: 'string' },
  'expires-height': { type: 'string' },
  at: { type: 'string' },
  height: { type: 'string' },
  ...SIGNING_FLAGS,
} as const;

type Values = ReturnType<typeof parseCommandArgs<typeof options>>['values'];

const USAGE = 'usage: carechain consent grant|revoke|list ... (see carechain consent --help)';

export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, options, true);
  const [action, ...rest] = positionals;
  if (action === 'grant' && rest.length === 0) return grant(values);
  if (action === 'revoke' && rest.length === 1) return revoke(values, rest[0]!);
  if (action === 'revoke') throw new CliError('usage: carechain consent revoke TXID [--key FILE]');
  if (action === 'list' && rest.length === 0) return list(values);
  throw new CliError(USAGE);
}

async function grant(values: Values): Promise<number> {
  const subject = hexArgument(values.subject, '--subject (the HMAC pseudonym)', 32);
  const grantee = toHex(hexArgument(values.to, '--to (the provider’s public key)', 32));
  const actions = actionsArgument(values.actions);
  const resourceTypes = typesArgument(values.types);
  const purposes = purposesArgument(values.purposes);
  const expiry = expiryArgument(values.expires, values['expires-height']);
  const fee = parseCount(values.fee, '--fee', DEFAULT_FEE);
  const client = new NodeClient(values.node);
  const ctx = await signingContext(client, values.key ?? DEFAULT_KEY_FILE);
  if (ctx.key.publicKey === grantee) throw new CliError('--to is your own key: a consent is for a provider');
  const tx = buildConsent({ network: ctx.network, privateKey: ctx.key.privateKey, sequence: ctx.sequence, fee, subject, grantee, actions, resourceTypes, purposes, ...(expiry ? { expiry } : {}) });
  const { txid } = await client.post<{ txid: string }>('/txs', { hex: toHex(encodeTx(tx)) });
  if (values.json) process.stdout.write(JSON.stringify({ txid, subject: toHex(subject), grantee, actions: tx.actions, resourceTypes, purposes, expiry: expiry ?? null }) + '\n');
  else process.stdout.write(`${txid}\n`);
  return 0;
}

async function revoke(values: Values, consentTxid: string): Promise<number> {
  const consent = hexArgument(consentTxid, 'TXID (the consent)', 32);
  const fee = parseCount(values.fee, '--fee', DEFAULT_FEE);
  const client = new NodeClient(values.node);
  const ctx = await signingContext(client, values.key ?? DEFAULT_KEY_FILE);
  // Txids are given in display order, as the node shows them; the transaction holds internal order.
  const tx = buildRevoke({ network: ctx.network, privateKey: ctx.key.privateKey, sequence: ctx.sequence, fee, consent: fromDisplayHex(toHex(consent)) });
  const { txid } = await client.post<{ txid: string }>('/txs', { hex: toHex(encodeTx(tx)) });
  if (values.json) process.stdout.write(JSON.stringify({ txid, consent: toHex(consent) }) + '\n');
  else process.stdout.write(`${txid}\n`);
  return 0;
}

async function list(values: Values): Promise<number> {
  const subject = toHex(hexArgument(values.subject, '--subject (the HMAC pseudonym)', 32));
  const query = new URLSearchParams();
  if (values.at !== undefined) query.set('at', String(timeArgument(values.at, '--at')));
  if (values.height !== undefined) query.set('height', String(parseCount(values.height, '--height')));
  const suffix = query.size ? `?${query}` : '';
  const found = await new NodeClient(values.node).get<SubjectConsents>(`/subjects/${subject}/consents${suffix}`);
  if (values.json) {
    process.stdout.write(JSON.stringify(found) + '\n');
    return 0;
  }
  const enrolled = found.enrolment ? `enrolled to patient key ${found.enrolment.patient} by ${found.enrolment.provider}` : 'not enrolled';
  process.stdout.write(`subject ${subject}: ${enrolled}; ${found.consents.length} consent(s) at height ${found.at.height}, ${new Date(found.at.time * 1000).toISOString()}\n`);
  for (const c of found.consents) process.stdout.write(describe(c) + '\n');
  return 0;
}

function describe(c: ConsentView): string {
  const types = c.resourceTypes.length ? c.resourceTypes.join(',') : 'all types';
  const purposes = c.purposes.length ? c.purposes.join(',') : 'any purpose';
  const until = c.revoked ? `revoked at height ${c.revoked.height}` : !c.expiry ? 'until revoked' : c.expiry.by === 'time' ? `until ${new Date(c.expiry.at * 1000).toISOString()}` : `until height ${c.expiry.at}`;
  return `${c.txid}  ${c.status.padEnd(7)}  ${c.grantee}  ${c.actions.join(',')}  ${types}  ${purposes}  ${until}`;
}
