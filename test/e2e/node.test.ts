import { createHmac } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { toHex } from '../../src/chain/hash.js';
import { generateKeyPair } from '../../src/chain/keys.js';
import { networks } from '../../src/chain/network.js';
import { verifyReceipt, type Receipt } from '../../src/chain/receipt.js';
import { buildRecord, buildTransfer, commitmentOf, newSalt } from '../../src/chain/signing.js';
import { encodeTx, type SignedTx } from '../../src/chain/tx.js';
import { forgeReceipt } from '../chain/forgery.js';
import { removeTempDirs, tempDir } from '../chain/helpers.js';
import { runCli } from '../cli/run-cli.js';
import { prometheusInstalled, startPrometheus } from '../helpers/prometheus.js';
import { expectProblem } from '../http/problem-assertions.js';
import { startNodeProcess, waitFor, type NodeProcess } from './node-process.js';

/**
 * The node users run, end to end: `carechain start` as a child process on the test network, driven
 * only through its HTTP API and the CLI clients, scraped by a real Prometheus, killed with SIGKILL
 * and restarted on the same data, and fed bad input while it mines.
 */
const net = networks.test;
const dataDir = tempDir();
const work = tempDir();
const owner = generateKeyPair(); // the coinbase key: its rewards pay the fees below
const friend = generateKeyPair();
const subject = toHex(new Uint8Array(32).fill(0x5b)); // an HMAC pseudonym, never a patient id
const nodeArgs = ['--data', dataDir, '--port', '0', '--stratum-port', '0', '--p2p-port', '0', '--network', 'test', '-t', '1', '--coinbase', owner.publicKey];

let node: NodeProcess;
const get = (path: string) => fetch(node.url + path);
const getJson = async <T = any>(path: string): Promise<T> => {
  const res = await get(path);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};
const postJson = (path: string, body: unknown) => fetch(node.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) });
const postTx = (tx: SignedTx) => postJson('/txs', { hex: toHex(encodeTx(tx)) });
const nextSequence = async () => (await getJson(`/accounts/${owner.publicKey}`)).pendingSequence as number;
const minedIn = (txid: string) => waitFor(`${txid} mined`, async () => (await getJson(`/txs/${txid}`)).block ?? undefined);

/**
 * A POST on a connection of its own (no keep-alive pool): the node answers an oversized body before
 * reading it and drains the rest only briefly, so a pooled socket could be closed under a later request.
 */
function postOnOwnConnection(path: string, body: string): Promise<Response> {
  return new Promise((resolve, reject) => {
    const req = request(node.url + path, { method: 'POST', agent: false, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode!, headers: res.headers as Record<string, string> })));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** Read one sample's value from the node's /metrics (exempt from the rate limit). */
async function metric(name: string): Promise<number> {
  const text = await (await get('/metrics')).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

beforeAll(async () => {
  node = await startNodeProcess(nodeArgs);
});

afterAll(async () => {
  if (node && node.child.exitCode === null && node.child.signalCode === null) node.child.kill('SIGKILL');
  removeTempDirs();
});

describe('carechain start, end to end', () => {
  const acknowledged: string[] = [];
  let recordTxid: string;
  let receiptFile: string;

  it('mines blocks from the tip as soon as it starts, and logs each one', async () => {
    const status = await waitFor('height 3', async () => {
      const s = await getJson('/status');
      return s.height >= 3 ? s : undefined;
    });
    expect(status).toMatchObject({ network: 'test', mining: { paused: false, threads: 1 } });
    expect(node.log()).toMatch(/mined block \d+ [0-9a-f]{64}/);
    expect(node.log()).toContain(`coinbase: rewards to ${owner.publicKey} (--coinbase)`);
    const tip = await getJson(`/blocks/${status.height}`);
    expect(tip.txids.length).toBeGreaterThanOrEqual(1);
    expect((await getJson(`/accounts/${owner.publicKey}`)).balance).toBeGreaterThan(0);
  });

  it('mines signed records and transfers sent through the API', async () => {
    const salt = newSalt();
    const document = Buffer.from('{"resourceType":"Observation","status":"final"}');
    const sequence = await nextSequence();
    const record = buildRecord({
      network: net, privateKey: owner.privateKey, sequence, fee: 2000, subject: Buffer.from(subject, 'hex'),
      resourceType: 'Observation', commitment: commitmentOf(salt, document), locator: 'ehr://clinic/obs/1',
    });
    const transfer = buildTransfer({ network: net, privateKey: owner.privateKey, sequence: sequence + 1, fee: 1000, recipient: friend.publicKey, amount: 12_345 });
    for (const tx of [record, transfer]) {
      const res = await postTx(tx);
      expect(res.status).toBe(202);
      acknowledged.push(((await res.json()) as { txid: string }).txid);
    }
    recordTxid = acknowledged[0]!;
    for (const txid of acknowledged) expect(await minedIn(txid)).toMatchObject({ height: expect.any(Number) });
    expect(await getJson(`/accounts/${friend.publicKey}`)).toMatchObject({ balance: 12_345, sequence: 0 });
    expect(await getJson(`/records/${recordTxid}`)).toMatchObject({ owner: owner.publicKey, subject, resourceType: 'Observation', commitment: toHex(commitmentOf(salt, document)) });
    expect((await getJson(`/subjects/${subject}/records`)).trail).toMatchObject([{ txid: recordTxid, kind: 'record' }]);

    const receipt = await getJson(`/txs/${recordTxid}/receipt`);
    expect(verifyReceipt(receipt, { opening: { document, salt } })).toMatchObject({ valid: true, status: 'unanchored', version: 2 });
  });

  it('anchors a document with carechain record, saves its receipt and verifies it offline', () => {
    const keyFile = join(work, 'owner.json');
    writeFileSync(keyFile, JSON.stringify(owner), { mode: 0o600 });
    const doc = join(work, 'report.json');
    writeFileSync(doc, '{"resourceType":"DiagnosticReport","status":"final"}');
    const salts = join(work, 'salts.json');
    const sent = runCli(['record', doc, '--subject', subject, '--type', 'DiagnosticReport', '--amends', recordTxid, '--relation', 'appends', '--key', keyFile, '--salts', salts, '--node', node.url, '--json']);
    expect(sent.stderr).toBe('');
    expect(sent.status).toBe(0);
    const entry = JSON.parse(sent.stdout) as { txid: string; salt: string };
    acknowledged.push(entry.txid);
    expect(JSON.parse(readFileSync(salts, 'utf8'))).toMatchObject([{ txid: entry.txid, salt: entry.salt, document: doc }]);

    const file = join(work, 'receipt.json');
    const fetched = runCli(['receipt', entry.txid, '--wait', '20', '--out', file, '--node', node.url]);
    expect(fetched.stderr).toBe('');
    expect(fetched.status).toBe(0);
    const verified = runCli(['verify', file, '--document', doc, '--salt', entry.salt, '--json']);
    expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true, status: 'unanchored' });
    expect(verified.status).toBe(3); // valid, but tied to no chain until anchored
    receiptFile = file;
    // A subject computed here from a patient id and the provider's secret: only the HMAC leaves the machine.
    const secret = join(work, 'pseudonym.key');
    writeFileSync(secret, 'a provider secret of 32+ bytes....');
    const byPatient = runCli(['record', doc, '--patient', 'MRN-000123', '--pseudonym-key', secret, '--type', 'DiagnosticReport', '--key', keyFile, '--salts', salts, '--node', node.url, '--json']);
    expect(byPatient.status).toBe(0);
    const hmac = createHmac('sha256', readFileSync(secret)).update('MRN-000123').digest('hex');
    expect(JSON.parse(byPatient.stdout)).toMatchObject({ subject: hmac });
    expect(readFileSync(salts, 'utf8')).not.toContain('MRN-000123');
    acknowledged.push((JSON.parse(byPatient.stdout) as { txid: string }).txid);

    // The same receipt with another document does not verify.
    writeFileSync(doc, '{"resourceType":"DiagnosticReport","status":"amended"}');
    expect(runCli(['verify', file, '--document', doc, '--salt', entry.salt]).status).toBe(1);
  });

  it('anchors the receipt: verify --node, carechain headers export then verify --headers, --checkpoint; refuses a forgery', async () => {
    const saved = JSON.parse(readFileSync(receiptFile, 'utf8')) as Receipt;
    const byNode = runCli(['verify', receiptFile, '--node', node.url]);
    expect(byNode.stderr).toBe('');
    expect(byNode.stdout).toMatch(new RegExp(`^VALID: the transaction is in block ${saved.blockHash} at height ${saved.height}, \\d+ confirmations, on the chain of node ${node.url}`, 'm'));
    expect(byNode.status).toBe(0);

    const headersFile = join(work, 'headers.bin');
    const exported = runCli(['headers', 'export', '--node', node.url, '--out', headersFile, '--json']);
    expect(exported.stderr).toBe('');
    expect(exported.status).toBe(0);
    const summary = JSON.parse(exported.stdout) as { count: number; tipHeight: number; tip: string; network: string };
    expect(summary).toMatchObject({ network: 'test', file: headersFile, format: 'binary' });
    expect(summary.count).toBe(summary.tipHeight + 1);
    expect((await getJson(`/blocks/${summary.tipHeight}`)).hash).toBe(summary.tip);
    const hexFile = join(work, 'headers.txt');
    expect(runCli(['headers', 'export', '--node', node.url, '--out', hexFile, '--format', 'hex']).status).toBe(0);
    expect(readFileSync(hexFile, 'utf8')).toMatch(/^carechain-headers 1 test \d+\n[0-9a-f]{160}\n/);

    for (const anchor of [['--headers', headersFile], ['--headers', hexFile]]) {
      const offline = runCli(['verify', receiptFile, ...anchor, '--json']);
      expect(JSON.parse(offline.stdout)).toMatchObject({ valid: true, status: 'buried' });
      expect(offline.status).toBe(0);
    }
    const top = saved.height + saved.headers.length;
    const checkpoint = `${top}:${(await getJson(`/blocks/${top}`)).hash}`;
    expect(runCli(['verify', receiptFile, '--checkpoint', checkpoint]).status).toBe(0);

    // The issue's forgery, at a height this chain holds: valid alone, refused by every anchor.
    const forgedFile = join(work, 'forged.json');
    writeFileSync(forgedFile, JSON.stringify(forgeReceipt({ height: saved.height, onTop: saved.headers.length, commitment: new Uint8Array(32).fill(7) })));
    expect(runCli(['verify', forgedFile]).status).toBe(3);
    const refused = runCli(['verify', forgedFile, '--node', node.url, '--json']);
    expect(JSON.parse(refused.stdout)).toMatchObject({ valid: false, reason: 'not-on-node-chain' });
    expect(refused.status).toBe(1);
    expect(JSON.parse(runCli(['verify', forgedFile, '--headers', headersFile, '--json']).stdout)).toMatchObject({ reason: 'not-in-headers-file' });
    expect(JSON.parse(runCli(['verify', forgedFile, '--checkpoint', checkpoint, '--json']).stdout)).toMatchObject({ reason: 'checkpoint-mismatch' });
  });

  it.skipIf(!prometheusInstalled() && !process.env.CI)('is scraped by a real Prometheus: carechain_hashes_total reads back through the query API', async () => {
    const prometheus = await startPrometheus({ target: new URL(node.url).host });
    try {
      const samples = await prometheus.waitForSamples('carechain_hashes_total');
      expect(samples.map((s) => s.metric.worker)).toContain('0');
      expect(samples.reduce((sum, s) => sum + s.value, 0)).toBeGreaterThan(0);
      const height = await prometheus.waitForSamples('carechain_chain_height');
      expect(height[0]!.value).toBeGreaterThan(0);
    } finally {
      await prometheus.stop();
    }
  });

  it('is steered over the control routes and counts its work in the metrics', async () => {
    const control = (method: string, path: string, body?: unknown) =>
      fetch(node.url + path, { method, headers: { 'content-type': 'application/json' }, ...(body ? { body: JSON.stringify(body) } : {}) });
    expect(await (await control('POST', '/mining/pause')).json()).toMatchObject({ paused: true });
    expect(await metric('carechain_mining_workers')).toBe(0);
    const hashes = await metric('carechain_hashes_total');
    await new Promise((r) => setTimeout(r, 300));
    expect(await metric('carechain_hashes_total')).toBe(hashes); // paused means no hashing at all
    expect(await (await control('POST', '/mining/resume')).json()).toMatchObject({ paused: false });
    expect(await (await control('PUT', '/mining/threads', { threads: 2 })).json()).toMatchObject({ threads: 2 });
    expect((await getJson('/status')).mining).toEqual({ paused: false, threads: 2 });
    expect(await (await control('PUT', '/mining/threads', { threads: 1 })).json()).toMatchObject({ threads: 1 });

    const mining = await getJson('/mining');
    expect(mining.kernel).toMatch(/^(simd|scalar)$/); // job may be null: the test network idles between blocks (see MiningLoop)
    expect(mining.blocksFound).toBeGreaterThan(0);
    expect(await metric('carechain_blocks_mined_total')).toBe(mining.blocksFound);
    expect(await metric('carechain_blocks_accepted_total')).toBeGreaterThan(0);
    expect(await metric('carechain_job_switch_seconds_count')).toBeGreaterThan(0);
    expect(await metric('carechain_block_interval_seconds_count')).toBeGreaterThan(0);
  });

  it('keeps every acknowledged block and transaction through SIGKILL and a restart', async () => {
    const sequence = await nextSequence();
    const pending = [0, 1, 2].map((i) => buildTransfer({ network: net, privateKey: owner.privateKey, sequence: sequence + i, fee: 500, recipient: friend.publicKey, amount: 1 + i }));
    for (const tx of pending) {
      const res = await postTx(tx);
      expect(res.status).toBe(202);
      acknowledged.push(((await res.json()) as { txid: string }).txid);
    }
    const before = await getJson('/status');
    node.child.kill('SIGKILL');
    expect(await node.exited).toMatchObject({ signal: 'SIGKILL' });

    // Every block the node logged as mined had been fsync'd before the line was written.
    const logged = new Map([...node.log().matchAll(/mined block (\d+) ([0-9a-f]{64})/g)].map((m) => [Number(m[1]), m[2]!]));
    expect(logged.size).toBeGreaterThan(3);

    node = await startNodeProcess(nodeArgs);
    const after = await getJson('/status');
    expect(after.height).toBeGreaterThanOrEqual(before.height);
    expect((await getJson(`/blocks/${before.height}`)).hash).toBe(before.tip);
    const stored = new Map<number, string>();
    for (let from = 0; from <= Math.max(...logged.keys()); from += 100) {
      for (const b of (await getJson(`/blocks?from=${from}&limit=100`)).blocks) stored.set(b.height, b.hash);
    }
    for (const [height, hash] of logged) expect(stored.get(height), `block ${height}`).toBe(hash);
    for (const txid of acknowledged) expect((await get(`/txs/${txid}`)).status).toBe(200);
    // Mined or still pending, each comes out in a block of the restarted node.
    for (const txid of acknowledged) await minedIn(txid);
  });

  it('answers bad input with 4xx problem+json while it keeps mining', async () => {
    const height = await metric('carechain_chain_height');
    const hashes = await metric('carechain_hashes_total');
    const good = buildTransfer({ network: net, privateKey: owner.privateKey, sequence: await nextSequence(), fee: 500, recipient: friend.publicKey, amount: 1 });
    const badSignature = { ...good, signature: Uint8Array.from(good.signature, (b, i) => (i === 0 ? b ^ 1 : b)) };
    const wrongSequence = buildTransfer({ network: net, privateKey: owner.privateKey, sequence: 0, fee: 500, recipient: friend.publicKey, amount: 1 });
    const otherNetwork = buildTransfer({ network: networks.dev, privateKey: owner.privateKey, sequence: good.sequence, fee: 500, recipient: friend.publicKey, amount: 1 });

    const send = (body: string, type = 'application/json') => fetch(node.url + '/txs', { method: 'POST', headers: { 'content-type': type }, body });
    await expectProblem(await send('{"hex": "00'), 400, 'malformed-json');
    await expectProblem(await send('{"hex": 5}'), 400, 'invalid-request');
    await expectProblem(await send('{"hex": "zz"}'), 400, 'invalid-request');
    await expectProblem(await send('{"hex": "abc"}'), 400, 'invalid-request');
    await expectProblem(await send('{"hex": "00", "extra": 1}'), 400, 'invalid-request');
    await expectProblem(await send('hex=00', 'text/plain'), 415, 'unsupported-media-type');
    await expectProblem(await send(JSON.stringify({ hex: 'ff'.repeat(40) })), 400, 'malformed-tx');
    await expectProblem(await postTx(badSignature), 422, 'bad-signature');
    await expectProblem(await postTx(otherNetwork), 422, 'bad-signature');
    await expectProblem(await postTx(wrongSequence), 422, 'bad-sequence');
    await expectProblem(await postOnOwnConnection('/txs', JSON.stringify({ hex: '00'.repeat(1024 * 1024) })), 413, 'payload-too-large');
    await expectProblem(await get('/blocks/not-a-block'), 400, 'invalid-request');
    await expectProblem(await get('/accounts/xyz'), 400, 'invalid-request');
    await expectProblem(await get('/no/such/route'), 404, 'unknown-route');
    await expectProblem(await fetch(node.url + '/mining/threads', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"threads":"two"}' }), 400, 'invalid-request');

    // A flood from one address: the rate limit answers 429 problems, the node stays up.
    const flood = await Promise.all(Array.from({ length: 300 }, () => get('/status')));
    const limited = flood.filter((r) => r.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect(flood.every((r) => r.status === 200 || r.status === 429)).toBe(true);
    await expectProblem(limited[0]!, 429, 'rate-limited');

    await waitFor('mining to go on', async () => ((await metric('carechain_chain_height')) > height && (await metric('carechain_hashes_total')) > hashes ? true : undefined));
    expect(await metric('carechain_transactions_rejected_total')).toBeGreaterThanOrEqual(4);
    expect((await get('/health')).status).toBe(200);
  });

  it('stops cleanly on SIGTERM: exit code 0', async () => {
    node.child.kill('SIGTERM');
    expect(await node.exited).toEqual({ code: 0, signal: null });
    expect(node.log()).toContain('stopped cleanly');
  });
});
