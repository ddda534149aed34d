import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { computeMerkleRoot, type Block } from '../src/chain/block.js';
import { Chain } from '../src/chain/chain.js';
import { decideConsent, type ConsentQuery } from '../src/chain/consent-check.js';
import { fromDisplayHex, fromHex, sha256d, toHex } from '../src/chain/hash.js';
import { generateKeyPair, type KeyPair } from '../src/chain/keys.js';
import { subsidyAt, type Network } from '../src/chain/network.js';
import { buildAccess, buildConsent, buildEnrol, buildRecord, buildTransfer } from '../src/chain/signing.js';
import { txidHex, type SignedTx } from '../src/chain/tx.js';
import { createApp } from '../src/http/app.js';
import { NodeApiAdapter } from '../src/node/api-adapter.js';
import { TxAdmission } from '../src/node/admission.js';
import { benchNetwork, submitMined } from './bench-miner.js';
import { count, FlagError, type FlagValues } from './flags.js';

/** The flags `carechain bench consent` takes (COMMAND_HELP documents each). */
export const options = {
  consents: { type: 'string', default: '100000' },
  accesses: { type: 'string', default: '1000000' },
  'block-txs': { type: 'string', default: '1000' },
  checks: { type: 'string', default: '10000' },
  json: { type: 'boolean', default: false },
} as const;

export interface ConsentBenchSettings {
  consents: number;
  accesses: number;
  perBlock: number;
  checks: number;
  json: boolean;
}

/** The settings of a run, from the parsed flags; a value it cannot use throws a FlagError. */
export function settingsFrom(values: FlagValues<typeof options>): ConsentBenchSettings {
  const consents = count(values.consents, '--consents');
  if (consents < 1) throw new FlagError('--consents must be at least 1: the reads are made under consents');
  return {
    consents,
    accesses: count(values.accesses, '--accesses'),
    perBlock: Math.max(1, count(values['block-txs'], '--block-txs')),
    checks: Math.max(1, count(values.checks, '--checks')),
    json: values.json,
  };
}

/**
 * `carechain bench consent`: a block log full of enrolments, consents and logged reads (100,000
 * consents and 1,000,000 reads by default), replayed and fully validated from a cold open, beside a
 * transfer-only log of as many transactions in as many blocks (goal: within 20 % of its rate); then,
 * on the replayed chain, the check's latency (p50, p99) in the decision function and through the
 * HTTP app (GET /consents/check, in process). Blocks are built directly, without the mempool, on a
 * network whose target half of all hashes meet: the proof-of-work check still runs.
 */
export async function run(settings: ConsentBenchSettings): Promise<void> {
  const { consents, accesses, perBlock, checks } = settings;
  const network = benchNetwork();
  const dir = mkdtempSync(join(tmpdir(), 'carechain-bench-consent-'));
  try {
    const cast = castFor(consents);
    // Both banks wait for the same mature rewards, so the two logs hold as many blocks.
    const bankSpends = Math.max(cast.providers.length + cast.patients.length, TRANSFER_SENDERS) * (FUNDING + 1);
    const consentLog = await buildLog(network, join(dir, 'consent'), consentStream(network, cast, consents, accesses), perBlock, bankSpends);
    const consentReplay = await timeReplay(network, join(dir, 'consent'), consentLog.height);
    const transferLog = await buildLog(network, join(dir, 'transfer'), transferStream(network, consentLog.txs), perBlock, bankSpends);
    const transferReplay = await timeReplay(network, join(dir, 'transfer'), transferLog.height, false);
    const check = await checkLatency(consentReplay.chain!, join(dir, 'consent'), cast, checks);
    await consentReplay.chain!.close();
    const rate = (txs: number, seconds: number) => round(txs / seconds);
    const result = {
      bench: 'consent',
      node: process.version,
      execArgv: process.execArgv,
      onChain: { consents, accesses, subjects: cast.subjects.length, providers: cast.providers.length, blocks: consentLog.height, txs: consentLog.txs },
      replay: {
        consent: { seconds: round(consentReplay.seconds), txPerSecond: rate(consentLog.txs, consentReplay.seconds), blocks: consentLog.height },
        transfer: { seconds: round(transferReplay.seconds), txPerSecond: rate(transferLog.txs, transferReplay.seconds), blocks: transferLog.height },
        ratio: round(rate(consentLog.txs, consentReplay.seconds) / rate(transferLog.txs, transferReplay.seconds)),
      },
      check,
    };
    if (settings.json) {
      process.stdout.write(JSON.stringify(result) + '\n');
      return;
    }
    const r = result.replay;
    process.stdout.write(`node ${process.version} ${process.execArgv.join(' ')}\n`);
    process.stdout.write(`on chain        ${consents} consents, ${accesses} reads, ${cast.subjects.length} subjects, ${consentLog.txs} tx in ${consentLog.height} blocks\n`);
    process.stdout.write(`replay consent  ${r.consent.txPerSecond} tx/s (${r.consent.seconds} s)\n`);
    process.stdout.write(`replay transfer ${r.transfer.txPerSecond} tx/s (${r.transfer.seconds} s); consent / transfer = ${r.ratio} (goal ≥ 0.8)\n`);
    process.stdout.write(`check           decision p50 ${check.decision.p50Ms} ms, p99 ${check.decision.p99Ms} ms; GET /consents/check p50 ${check.http.p50Ms} ms, p99 ${check.http.p99Ms} ms (goal p99 ≤ 1 ms) over ${checks}\n`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Who is on the chain: providers, patients (each enrolled for up to 10 subjects), subjects. */
interface Cast {
  bank: KeyPair;
  providers: KeyPair[];
  patients: KeyPair[];
  subjects: Array<{ id: Uint8Array; patient: KeyPair; provider: KeyPair; grantees: KeyPair[]; record?: string }>;
}

const GRANTS_PER_SUBJECT = 10;
/** What the bank gives each signer: fees of 1 for 10^7 transactions; its first mature reward covers 500 signers. */
const FUNDING = 10_000_000;
const TRANSFER_SENDERS = 100;
const SUBJECTS_PER_PATIENT = 10;

function castFor(consents: number): Cast {
  const providerCount = Math.max(GRANTS_PER_SUBJECT + 1, Math.min(100, Math.ceil(consents / 1000)));
  const providers = Array.from({ length: providerCount }, generateKeyPair);
  const subjectCount = Math.max(1, Math.ceil(consents / GRANTS_PER_SUBJECT));
  const patients = Array.from({ length: Math.ceil(subjectCount / SUBJECTS_PER_PATIENT) }, generateKeyPair);
  const subjects = Array.from({ length: subjectCount }, (_, s) => {
    const id = Buffer.alloc(32);
    id.writeUInt32LE(s, 0);
    id.fill(0xcc, 4);
    const provider = providers[s % providers.length]!;
    // The grantees: the next providers round the ring, never the record's owner.
    const grantees = Array.from({ length: GRANTS_PER_SUBJECT }, (_, k) => providers[(s + 1 + k) % providers.length]!);
    return { id: new Uint8Array(id), patient: patients[Math.floor(s / SUBJECTS_PER_PATIENT)]!, provider, grantees };
  });
  return { bank: generateKeyPair(), providers, patients, subjects };
}

/** Transactions in block order: funding, enrolments, one record per subject, the consents, the reads. */
function* consentStream(network: Network, cast: Cast, consents: number, accesses: number): Generator<SignedTx> {
  const seq = sequences();
  const signed = (who: KeyPair) => ({ network, privateKey: who.privateKey, sequence: seq(who), fee: 1 });
  for (const who of [...cast.providers, ...cast.patients]) yield buildTransfer({ ...signed(cast.bank), recipient: who.publicKey, amount: FUNDING });
  for (const s of cast.subjects) yield buildEnrol({ ...signed(s.provider), subject: s.id, patientPrivateKey: s.patient.privateKey });
  for (const s of cast.subjects) {
    const record = buildRecord({ ...signed(s.provider), subject: s.id, resourceType: 'Observation', commitment: sha256d(s.id), locator: 'ehr://bench' });
    s.record = txidHex(record);
    yield record;
  }
  let granted = 0;
  for (let k = 0; k < GRANTS_PER_SUBJECT && granted < consents; k++) {
    for (const s of cast.subjects) {
      if (granted++ >= consents) break;
      yield buildConsent({ ...signed(s.patient), subject: s.id, grantee: s.grantees[k]!.publicKey, actions: ['read', 'append'], resourceTypes: ['Observation'], purposes: ['TREAT', 'ETREAT'] });
    }
  }
  // Reads by a grantee under its consent: the first `rounds` grantees of every subject hold one.
  const rounds = Math.max(1, Math.min(GRANTS_PER_SUBJECT, Math.floor(consents / cast.subjects.length)));
  for (let i = 0; i < accesses; i++) {
    const s = cast.subjects[i % cast.subjects.length]!;
    const grantee = s.grantees[Math.floor(i / cast.subjects.length) % rounds]!;
    yield buildAccess({ ...signed(grantee), record: fromDisplayHex(s.record!), purpose: 'TREAT' });
  }
}

/** `count` transfers: funding as many senders as the consent log has signers, then round-robin payments. */
function* transferStream(network: Network, count: number): Generator<SignedTx> {
  const bank = generateKeyPair();
  const senders = Array.from({ length: TRANSFER_SENDERS }, generateKeyPair);
  const sink = generateKeyPair().publicKey;
  const seq = sequences();
  const signed = (who: KeyPair) => ({ network, privateKey: who.privateKey, sequence: seq(who), fee: 1 });
  let n = 0;
  for (const s of senders) if (n++ < count) yield buildTransfer({ ...signed(bank), recipient: s.publicKey, amount: FUNDING });
  for (let i = 0; n < count; i++, n++) yield buildTransfer({ ...signed(senders[i % senders.length]!), recipient: sink, amount: 1 });
}

function sequences(): (who: KeyPair) => number {
  const next = new Map<string, number>();
  return (who) => {
    const s = next.get(who.publicKey) ?? 0;
    next.set(who.publicKey, s + 1);
    return s;
  };
}

/**
 * Mine a log: the first blocks pay the bank (the stream's first signer) until its mature rewards
 * cover `bankSpends` (the funding it sends, which may all land in the first block), then blocks of
 * `perBlock` transactions from the stream, each through the chain's full validation.
 */
async function buildLog(network: Network, dataDir: string, stream: Generator<SignedTx>, perBlock: number, bankSpends: number): Promise<{ height: number; txs: number }> {
  const chain = await Chain.open({ dataDir, network, now: () => network.genesis.header.time + 10_000_000 });
  let first = stream.next();
  const bank = first.done ? generateKeyPair().publicKey : toHex(first.value.sender);
  const matureRewards = Math.max(1, Math.ceil(bankSpends / subsidyAt(network, 1)));
  for (let i = 0; i < network.coinbaseMaturity + matureRewards; i++) await mineBlock(chain, network, [], bank);
  let txs = 0;
  while (!first.done) {
    const batch: SignedTx[] = [first.value];
    for (first = stream.next(); !first.done && batch.length < perBlock; first = stream.next()) batch.push(first.value);
    await mineBlock(chain, network, batch, bank);
    txs += batch.length;
  }
  const height = chain.tip().height;
  await chain.close();
  return { height, txs };
}

async function mineBlock(chain: Chain, network: Network, txs: SignedTx[], recipient: string): Promise<void> {
  const tip = chain.tip();
  const height = tip.height + 1;
  const fees = txs.reduce((sum, tx) => sum + tx.fee, 0);
  const coinbase = { kind: 'coinbase' as const, height, recipient: fromHex(recipient, 32), extranonce1: 0, extranonce2: 0, value: subsidyAt(network, height) + fees };
  const body = [coinbase, ...txs];
  const block: Block = { header: { version: 1, prevHash: fromDisplayHex(tip.hash), merkleRoot: computeMerkleRoot(body), time: tip.header.time + 1, bits: chain.nextBits(), nonce: 0 }, txs: body };
  await submitMined(chain, block);
}

/** A cold open of the log: every block replayed and validated (Ed25519 included). */
async function timeReplay(network: Network, dataDir: string, height: number, keep = true): Promise<{ seconds: number; chain?: Chain }> {
  const start = performance.now();
  const chain = await Chain.open({ dataDir, network, now: () => network.genesis.header.time + 10_000_000 });
  const seconds = (performance.now() - start) / 1000;
  if (chain.tip().height !== height) throw new Error(`replay reached height ${chain.tip().height}, not ${height}`);
  if (keep) return { seconds, chain };
  await chain.close();
  return { seconds };
}

/** `count` checks of random (subject, grantee) pairs, half holding a consent, timed one by one. */
async function checkLatency(chain: Chain, dataDir: string, cast: Cast, count: number) {
  const { reader, next } = chain.consents();
  const queries: ConsentQuery[] = Array.from({ length: count }, (_, i) => {
    const s = cast.subjects[(i * 7919) % cast.subjects.length]!;
    const grantee = i % 2 === 0 ? s.grantees[i % s.grantees.length]! : s.provider; // the owner holds no consent
    return { subject: toHex(s.id), grantee: grantee.publicKey, action: 'read', resourceTypes: ['Observation'], purpose: 'TREAT' };
  });
  const decision = timeEach(queries, (q) => decideConsent(reader, q, next));
  const { admission } = await TxAdmission.open(chain, dataDir);
  const app = createApp({ api: new NodeApiAdapter({ chain, miner: null, admission, startedAt: performance.now() }), host: '127.0.0.1', rateLimit: false });
  const paths = queries.map((q) => `/consents/check?subject=${q.subject}&grantee=${q.grantee}&action=read&type=Observation&purpose=TREAT`);
  const samples: number[] = [];
  for (const path of paths) {
    const t0 = performance.now();
    const res = await app.request(path);
    await res.json();
    samples.push(performance.now() - t0);
  }
  const allowed = queries.filter((q) => decideConsent(reader, q, next).allowed).length;
  return { checks: count, allowed, decision, http: summary(samples) };
}

function timeEach<T>(items: T[], fn: (item: T) => unknown) {
  for (const item of items.slice(0, 1000)) fn(item); // warm up
  const samples = items.map((item) => {
    const t0 = performance.now();
    fn(item);
    return performance.now() - t0;
  });
  return summary(samples);
}

function summary(samples: number[]) {
  const sorted = [...samples].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!;
  return { p50Ms: round(at(0.5)), p99Ms: round(at(0.99)), maxMs: round(sorted.at(-1)!) };
}


function round(n: number): number {
  return Number(n.toPrecision(4));
}
