import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeKeyFile } from '../../src/chain/key-file.js';
import { generateKeyPair, type KeyPair } from '../../src/chain/keys.js';
import { networks } from '../../src/chain/network.js';
import { removeTempDirs, tempDir } from '../chain/helpers.js';
import { runCli } from '../cli/run-cli.js';
import { fhirValidator } from '../http/fhir/r4-schema.js';
import { startNodeProcess, waitFor, type NodeProcess } from './node-process.js';

/**
 * The README's walk-through, run: a patient, a clinic (which mines, so it has coins), a hospital and a
 * lab's document server, each with its own key file, using only the CLI against a real node process:
 * enrol (countersigned by the patient ahead) → consent → append → access → revoke, and the errors.
 */
const work = tempDir();
const dataDir = tempDir();
const people = { patient: generateKeyPair(), clinic: generateKeyPair(), hospital: generateKeyPair(), lab: generateKeyPair() };
const keyFile = (who: keyof typeof people) => join(work, `${who}.json`);
const subject = '5e'.repeat(32); // the clinic's HMAC pseudonym for the patient
let node: NodeProcess;

const cli = (args: string[]) => runCli([...args, '--node', node.url]);
/** Run, expect success, return stdout trimmed. */
function ok(args: string[]): string {
  const r = cli(args);
  expect(r.status, `${args.join(' ')}\n${r.stderr}`).toBe(0);
  return r.stdout.trim();
}
/** Run, expect a failure told in one line matching `message`. */
function fails(args: string[], message: RegExp): void {
  const r = cli(args);
  expect(r.status, args.join(' ')).not.toBe(0);
  expect(r.stderr.trim().split('\n'), args.join(' ')).toHaveLength(1);
  expect(r.stderr, args.join(' ')).toMatch(message);
}
const getJson = async (path: string) => (await (await fetch(node.url + path)).json()) as any;
const mined = (txid: string) => waitFor(`${txid} mined`, async () => (await getJson(`/txs/${txid}`)).block ?? undefined, 30_000);

beforeAll(async () => {
  for (const [who, pair] of Object.entries(people) as Array<[keyof typeof people, KeyPair]>) writeKeyFile(keyFile(who), pair);
  node = await startNodeProcess(['--data', dataDir, '--port', '0', '--stratum-port', '0', '--no-p2p', '--network', 'test', '-t', '1', '--coinbase', people.clinic.publicKey]);
  // The clinic's first rewards mature coinbaseMaturity blocks after they were mined.
  await waitFor('mature rewards', async () => ((await getJson('/status')).height > networks.test.coinbaseMaturity + 1 ? true : undefined), 60_000);
}, 90_000);

afterAll(async () => {
  if (node && node.child.exitCode === null && node.child.signalCode === null) {
    node.child.kill('SIGTERM');
    await node.exited;
  }
  removeTempDirs();
});

describe('patient, providers and a document server on the command line', () => {
  let record: string;
  let consent: string;

  it('funds the others, anchors a record and enrols the subject with the patient’s countersignature', async () => {
    for (const who of ['patient', 'hospital', 'lab'] as const) ok(['send', '--key', keyFile('clinic'), '--to', people[who].publicKey, '--amount', '1000000']);
    const doc = join(work, 'glucose.json');
    writeFileSync(doc, '{"resourceType":"Observation","code":"2339-0","value":5.4}');
    record = JSON.parse(ok(['record', doc, '--key', keyFile('clinic'), '--subject', subject, '--type', 'Observation', '--locator', 'ehr://clinic/obs/17', '--salts', join(work, 'salts.json'), '--json'])).txid;

    const signature = ok(['enrol', 'countersign', '--key', keyFile('patient'), '--provider', people.clinic.publicKey, '--subject', subject]);
    expect(signature).toMatch(/^[0-9a-f]{128}$/);
    fails(['enrol', '--key', keyFile('clinic'), '--subject', subject, '--patient-pubkey', people.patient.publicKey, '--countersignature', '00'.repeat(64)], /the countersignature is not the patient key's/);
    const enrolment = ok(['enrol', '--key', keyFile('clinic'), '--subject', subject, '--patient-pubkey', people.patient.publicKey, '--countersignature', signature]);
    await mined(enrolment);
    await mined(record);
    expect((await getJson(`/subjects/${subject}/consents`)).enrolment).toMatchObject({ patient: people.patient.publicKey, provider: people.clinic.publicKey });
  });

  it('the patient grants the hospital read and append of Observations for treatment', async () => {
    fails(['consent', 'grant', '--key', keyFile('patient'), '--subject', subject, '--to', people.hospital.publicKey, '--actions', 'read,delete'], /--actions: "delete" is not one of read, append, amend/);
    fails(['consent', 'grant', '--key', keyFile('patient'), '--subject', subject, '--to', people.hospital.publicKey, '--actions', 'read', '--purposes', 'FUN'], /--purposes: "FUN" is not a purpose/);
    fails(['consent', 'grant', '--key', keyFile('hospital'), '--subject', subject, '--to', people.lab.publicKey, '--actions', 'read'], /422 not-patient-key/);
    const granted = JSON.parse(ok(['consent', 'grant', '--key', keyFile('patient'), '--subject', subject, '--to', people.hospital.publicKey, '--actions', 'read,append', '--types', 'Observation', '--purposes', 'TREAT', '--json']));
    consent = granted.txid;
    expect(granted).toMatchObject({ actions: ['read', 'append'], resourceTypes: ['Observation'], expiry: null });
    await mined(consent);
    expect(ok(['consent', 'list', '--subject', subject])).toMatch(new RegExp(`${consent}  active   ${people.hospital.publicKey}  read,append  Observation  TREAT  until revoked`));
  });

  it('the hospital appends to the clinic’s record and reads it; the lab is refused, except as break-glass', async () => {
    const note = join(work, 'note.json');
    writeFileSync(note, '{"resourceType":"Observation","note":"repeat in 3 months"}');
    const appended = JSON.parse(ok(['record', note, '--key', keyFile('hospital'), '--subject', subject, '--type', 'Observation', '--amends', record, '--relation', 'appends', '--salts', join(work, 'salts.json'), '--json'])).txid;
    await mined(appended);
    expect((await getJson(`/subjects/${subject}/records`)).trail.at(-1)).toMatchObject({ txid: appended, actor: people.hospital.publicKey, consent });

    const read = cli(['access', record, '--key', keyFile('hospital'), '--purpose', 'TREAT']);
    expect(read.status).toBe(0);
    expect(read.stdout).toBe('ehr://clinic/obs/17\n');
    expect(read.stderr).toMatch(new RegExp(`access logged in [0-9a-f]{64}, under consent ${consent}`));
    fails(['access', record, '--key', keyFile('lab'), '--purpose', 'TREAT'], /not allowed to read .*: no-consent/);
    fails(['access', record, '--key', keyFile('hospital'), '--purpose', 'HRESCH'], /not allowed to read .*: no-consent/);
    const emergency = JSON.parse(ok(['access', record, '--key', keyFile('lab'), '--purpose', 'ETREAT', '--json']));
    expect(emergency).toMatchObject({ locator: 'ehr://clinic/obs/17', breakGlass: true, consent: null });
    await mined(emergency.txid);

    const log = await getJson(`/subjects/${subject}/access-log`);
    expect(log.entries.map((e: any) => [e.provider, e.breakGlass])).toEqual([[people.lab.publicKey, true], [people.hospital.publicKey, false]]);
    const fhir = await getJson(`/subjects/${subject}/access-log?format=fhir`);
    expect(fhirValidator().errors(fhir)).toEqual([]);
    expect(fhir.entry[0].resource.meta.security[0].code).toBe('BTG');
  });

  it('the patient revokes, holds an offline proof of it, and the hospital is refused from then on', async () => {
    const revocation = ok(['consent', 'revoke', consent, '--key', keyFile('patient')]);
    await mined(revocation);
    fails(['access', record, '--key', keyFile('hospital'), '--purpose', 'TREAT'], /not allowed to read .*: consent-revoked/);
    fails(['consent', 'revoke', consent, '--key', keyFile('patient')], /422 consent-revoked/);
    const file = join(work, 'revocation.json');
    ok(['receipt', revocation, '--wait', '20', '--out', file]);
    const verified = runCli(['verify', file, '--node', node.url]); // anchored by the node's chain: exit 0
    expect(verified.status).toBe(0);
    expect(verified.stdout).toContain(`revocation by patient key ${people.patient.publicKey} of consent ${consent}`);
    const listed = JSON.parse(ok(['consent', 'list', '--subject', subject, '--json']));
    expect(listed.consents).toMatchObject([{ txid: consent, status: 'revoked' }]);
  });

  it('says what is wrong in one line', () => {
    fails(['enrol', '--key', keyFile('clinic'), '--subject', subject], /give the patient as --patient-key FILE/);
    fails(['enrol', 'countersign', '--key', keyFile('patient'), '--subject', subject], /--provider .* is required/);
    fails(['enrol', 'sideways', '--subject', subject], /usage: carechain enrol/);
    fails(['consent', 'grant', '--key', keyFile('patient'), '--subject', subject, '--to', people.lab.publicKey, '--actions', 'read', '--expires', 'soon'], /--expires must be unix seconds or an ISO 8601/);
    fails(['consent', 'grant', '--key', keyFile('patient'), '--subject', subject, '--to', people.lab.publicKey, '--actions', 'read', '--expires', '2030-01-01', '--expires-height', '9'], /not both/);
    fails(['consent', 'forget'], /usage: carechain consent grant\|revoke\|list/);
    fails(['access', record, '--key', keyFile('lab')], /--purpose is required/);
    fails(['access', 'ab'.repeat(32), '--key', keyFile('lab'), '--purpose', 'TREAT'], /no record (ab)+ on the chain/);
  });
});
