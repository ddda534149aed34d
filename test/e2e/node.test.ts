import { createHmac, randomBytes } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join } from 'node:path';
import { afterAll, beforeEach, describe, expect, it } from 'vitest';
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
 *
 * The tests share one data dir and the node running on it, and none relies on another having run:
 * each finds a node running (restarted on the same data if a test stopped it), waits for what it
 * needs (a reward to spend, a block mined by this process) and sends its own transactions, to
 * recipients and subjects of its own.
 */
const net = networks.test;
const dataDir = tempDir();
const owner = generateKeyPair(); // the coinbase key: its rewards pay the fees below
/** A fresh HMAC pseudonym (never a patient id), so one test's records never show in another's trail. */
const newSubject = () => toHex(randomBytes(32));
/** Every transaction the node answered 202 for, by any test: each must survive a SIGKILL. */
const acknowledged: string[] = [];
const nodeArgs = ['--data', dataDir, '--port', '0', '--stratum-port', '0', '--p2p-port', '0', '--network', 'test', '-t', '1', '--coinbase', owner.publicKey];

let node: NodeProcess | undefined;
const running = (n: NodeProcess | undefined): n is NodeProcess => n !== undefined && n.child.exitCode === null && n.child.signalCode === null;
/** The node the current test runs against (beforeEach made sure there is one). */
const current = (): NodeProcess => {
  if (!node) throw new Error('no node started');
  return node;
};
const get = (path: string) => httpRequest(path);
const getJson = async <T = any>(path: string): Promise<T> => {
  const res = await get(path);
  if (!res.ok) throw new Error(`GET ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
};
const postJson = (path: string, body: unknown) => httpRequest(path, { method: 'POST', type: 'application/json', body: JSON.stringify(body) });
const postTx = (tx: SignedTx) => postJson('/txs', { hex: toHex(encodeTx(tx)) });
const nextSequence = async () => (await getJson(`/accounts/${owner.publicKey}`)).pendingSequence as number;
const minedIn = (txid: string) => waitFor(`${txid} mined`, async () => (await getJson(`/txs/${txid}`)).block ?? undefined);
const minedBlocksIn = (log: string) => new Map([...log.matchAll(/mined block (\d+) ([0-9a-f]{64})/g)].map((m) => [Number(m[1]), m[2]!]));

/** Wait until the owner's first reward has matured (the next block may spend it). */
const rewardSpendable = () =>
  waitFor('a spendable reward', async () => ((await getJson('/status')).height > net.coinbaseMaturity ? true : undefined));

/** Post a transaction the test needs accepted, and remember it as acknowledged. */
async function acknowledge(tx: SignedTx): Promise<string> {
  const res = await postTx(tx);
  expect(res.status).toBe(202);
  const { txid } = (await res.json()) as { txid: string };
  acknowledged.push(txid);
  return txid;
}

/** A record by the owner, sent through the API and mined: one for the test to amend or prove. */
async function minedRecord(subject: string): Promise<string> {
  await rewardSpendable();
  const txid = await acknowledge(buildRecord({
    network: net, privateKey: owner.privateKey, sequence: await nextSequence(), fee: 2000, subject: Buffer.from(subject, 'hex'),
    resourceType: 'Observation', commitment: commitmentOf(newSalt(), Buffer.from('{"resourceType":"Observation"}')), locator: 'ehr://clinic/obs/2',
  }));
  await minedIn(txid);
  return txid;
}

/** Make sure the owner has a confirmed spend (sequence above 0), so a transaction at sequence 0 is a replay. */
async function ownerHasSpent(): Promise<void> {
  if ((await getJson(`/accounts/${owner.publicKey}`)).sequence > 0) return;
  await rewardSpendable();
  const tx = buildTransfer({ network: net, privateKey: owner.privateKey, sequence: await nextSequence(), fee: 500, recipient: generateKeyPair().publicKey, amount: 1 });
  await minedIn(await acknowledge(tx));
}

/**
 * One request to the node, on a connection of its own unless an agent is given. No keep-alive pool:
 * the CLI runs in spawnSync, which blocks this process for seconds, and a pooled socket the node has
 * closed meanwhile would be reused before the close is read ("other side closed"). It also keeps an
 * oversized body, which the node answers before reading and drains only briefly, off later requests.
 */
function httpRequest(path: string, options: { method?: string; type?: string; body?: string; agent?: Agent } = {}): Promise<Response> {
  const { method = 'GET', type, body, agent = false } = options;
  const headers: Record<string, string | number> = {};
  if (type) headers['content-type'] = type;
  if (body !== undefined) headers['content-length'] = Buffer.byteLength(body);
  return new Promise((resolve, reject) => {
    const req = request(current().url + path, { method, agent, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode!, headers: res.headers as Record<string, string> })));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Another loopback address for the flood. The rate limit keeps a bucket per address: a flood from
 * this one leaves 127.0.0.1, which every other test uses, its own allowance.
 */
const FLOODER = '127.0.0.2';

/** Read one sample's value from the node's /metrics (exempt from the rate limit). */
async function metric(name: string): Promise<number> {
  const text = await (await get('/metrics')).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name + ' ') || l.startsWith(name + '{'))
    .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
}

/**
 * `carechain start` on the shared data, once it has answered a request. It logs "listening" just
 * before startNode returns, and installs its SIGINT/SIGTERM handlers only after: a signal sent in
 * between kills it by the default action. An answer comes from a later turn of its event loop, when
 * the handlers are in place.
 */
async function startNodeOnData(): Promise<NodeProcess> {
  node = await startNodeProcess(nodeArgs);
  await waitFor('the node to answer', async () => ((await get('/health')).status === 200 ? true : undefined));
  return node;
}

// The first test starts the node; after a test that stopped it (SIGKILL, SIGTERM) the next one
// restarts it on the same data, as a user would.
beforeEach(async () => {
  if (!running(node)) await startNodeOnData();
});

afterAll(async () => {
  if (running(node)) node.child.kill('SIGKILL');
  removeTempDirs();
});

describe('carechain start, end to end', () => {
  it('mines blocks from the tip as soon as it starts, and logs each one', async () => {
    // Height 3, and a block mined by this process (it may have been restarted on a longer chain).
    const status = await waitFor('height 3 and a block mined', async () => {
      const s = await getJson('/status');
      return s.height >= 3 && minedBlocksIn(current().log()).size > 0 ? s : undefined;
    });
    expect(status).toMatchObject({ network: 'test', mining: { paused: false, threads: 1 } });
    expect(current().log()).toMatch(/mined block \d+ [0-9a-f]{64}/);
    expect(current().log()).toContain(`coinbase: rewards to ${owner.publicKey} (--coinbase)`);
    const tip = await getJson(`/blocks/${status.height}`);
    expect(tip.txids.length).toBeGreaterThanOrEqual(1);
    expect((await getJson(`/accounts/${owner.publicKey}`)).balance).toBeGreaterThan(0);
  });

  it('mines signed records and transfers sent through the API', async () => {
    const subject = newSubject();
    const friend = generateKeyPair(); // paid here only, so its balance is this test's transfer
    const salt = newSalt();
    const document = Buffer.from('{"resourceType":"Observation","status":"final"}');
    await rewardSpendable();
    const sequence = await nextSequence();
    const record = buildRecord({
      network: net, privateKey: owner.privateKey, sequence, fee: 2000, subject: Buffer.from(subject, 'hex'),
      resourceType: 'Observation', commitment: commitmentOf(salt, document), locator: 'ehr://clinic/obs/1',
    });
    const transfer = buildTransfer({ network: net, privateKey: owner.privateKey, sequence: sequence + 1, fee: 1000, recipient: friend.publicKey, amount: 12_345 });
    const sent = [await acknowledge(record), await acknowledge(transfer)];
    const recordTxid = sent[0]!;
    for (const txid of sent) expect(await minedIn(txid)).toMatchObject({ height: expect.any(Number) });
    expect(await getJson(`/accounts/${friend.publicKey}`)).toMatchObject({ balance: 12_345, sequence: 0 });
    expect(await getJson(`/records/${recordTxid}`)).toMatchObject({ owner: owner.publicKey, subject, resourceType: 'Observation', commitment: toHex(commitmentOf(salt, document)) });
    expect((await getJson(`/subjects/${subject}/records`)).trail).toMatchObject([{ txid: recordTxid, kind: 'record' }]);

    const receipt = await getJson(`/txs/${recordTxid}/receipt`);
    expect(verifyReceipt(receipt, { opening: { document, salt } })).toMatchObject({ valid: true, status: 'unanchored', version: 2 });
  });

  it('anchors a document with carechain record, saves its receipt and verifies it offline', async () => {
    const subject = newSubject();
    const recordTxid = await minedRecord(subject); // the record this document appends to
    const work = tempDir();
    const keyFile = join(work, 'owner.json');
    writeFileSync(keyFile, JSON.stringify(owner), { mode: 0o600 });
    const doc = join(work, 'report.json');
    writeFileSync(doc, '{"resourceType":"DiagnosticReport","status":"final"}');
    const salts = join(work, 'salts.json');
    const sent = runCli(['record', doc, '--subject', subject, '--type', 'DiagnosticReport', '--amends', recordTxid, '--relation', 'appends', '--key', keyFile, '--salts', salts, '--node', current().url, '--json']);
    expect(sent.stderr).toBe('');
    expect(sent.status).toBe(0);
    const entry = JSON.parse(sent.stdout) as { txid: string; salt: string };
    acknowledged.push(entry.txid);
    expect(JSON.parse(readFileSync(salts, 'utf8'))).toMatchObject([{ txid: entry.txid, salt: entry.salt, document: doc }]);

    const file = join(work, 'receipt.json');
    const fetched = runCli(['receipt', entry.txid, '--wait', '20', '--out', file, '--node', current().url]);
    expect(fetched.stderr).toBe('');
    expect(fetched.status).toBe(0);
    const verified = runCli(['verify', file, '--document', doc, '--salt', entry.salt, '--json']);
    expect(JSON.parse(verified.stdout)).toMatchObject({ valid: true, status: 'unanchored' });
    expect(verified.status).toBe(3); // valid, but tied to no chain until anchored
    // A subject computed here from a patient id and the provider's secret: only the HMAC leaves the machine.
    const secret = join(work, 'pseudonym.key');
    writeFileSync(secret, 'a provider secret of 32+ bytes....');
    const byPatient = runCli(['record', doc, '--patient', 'MRN-000123', '--pseudonym-key', secret, '--type', 'DiagnosticReport', '--key', keyFile, '--salts', salts, '--node', current().url, '--json']);
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
    const work = tempDir();
    const receiptFile = join(work, 'receipt.json');
    const fetched = runCli(['receipt', await minedRecord(newSubject()), '--wait', '20', '--out', receiptFile, '--node', current().url]);
    expect(fetched.stderr).toBe('');
    expect(fetched.status).toBe(0);
    const saved = JSON.parse(readFileSync(receiptFile, 'utf8')) as Receipt;
    const byNode = runCli(['verify', receiptFile, '--node', current().url]);
    expect(byNode.stderr).toBe('');
    expect(byNode.stdout).toMatch(new RegExp(`^VALID: the transaction is in block ${saved.blockHash} at height ${saved.height}, \\d+ confirmations, on the chain of node ${current().url}`, 'm'));
    expect(byNode.status).toBe(0);

    const headersFile = join(work, 'headers.bin');
    const exported = runCli(['headers', 'export', '--node', current().url, '--out', headersFile, '--json']);
    expect(exported.stderr).toBe('');
    expect(exported.status).toBe(0);
    const summary = JSON.parse(exported.stdout) as { count: number; tipHeight: number; tip: string; network: string };
    expect(summary).toMatchObject({ network: 'test', file: headersFile, format: 'binary' });
    expect(summary.count).toBe(summary.tipHeight + 1);
    expect((await getJson(`/blocks/${summary.tipHeight}`)).hash).toBe(summary.tip);
    const hexFile = join(work, 'headers.txt');
    expect(runCli(['headers', 'export', '--node', current().url, '--out', hexFile, '--format', 'hex']).status).toBe(0);
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
    const refused = runCli(['verify', forgedFile, '--node', current().url, '--json']);
    expect(JSON.parse(refused.stdout)).toMatchObject({ valid: false, reason: 'not-on-node-chain' });
    expect(refused.status).toBe(1);
    expect(JSON.parse(runCli(['verify', forgedFile, '--headers', headersFile, '--json']).stdout)).toMatchObject({ reason: 'not-in-headers-file' });
    expect(JSON.parse(runCli(['verify', forgedFile, '--checkpoint', checkpoint, '--json']).stdout)).toMatchObject({ reason: 'checkpoint-mismatch' });
  });

  it.skipIf(!prometheusInstalled() && !process.env.CI)('is scraped by a real Prometheus: carechain_hashes_total reads back through the query API', async () => {
    // Something to read back, even on a node that has just been (re)started.
    await waitFor('a hash and a block', async () => ((await metric('carechain_hashes_total')) > 0 && (await metric('carechain_chain_height')) > 0 ? true : undefined));
    const prometheus = await startPrometheus({ target: new URL(current().url).host });
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
      httpRequest(path, { method, type: 'application/json', ...(body ? { body: JSON.stringify(body) } : {}) });
    expect(await (await control('POST', '/mining/pause')).json()).toMatchObject({ paused: true });
    expect(await metric('carechain_mining_workers')).toBe(0);
    const hashes = await metric('carechain_hashes_total');
    await new Promise((r) => setTimeout(r, 300));
    expect(await metric('carechain_hashes_total')).toBe(hashes); // paused means no hashing at all
    expect(await (await control('POST', '/mining/resume')).json()).toMatchObject({ paused: false });
    expect(await (await control('PUT', '/mining/threads', { threads: 2 })).json()).toMatchObject({ threads: 2 });
    expect((await getJson('/status')).mining).toEqual({ paused: false, threads: 2 });
    expect(await (await control('PUT', '/mining/threads', { threads: 1 })).json()).toMatchObject({ threads: 1 });

    // Two blocks found by this process, so there is an interval between them to count (blocksFound
    // counts from the process's start, and it may just have been restarted).
    const mining = await waitFor('two blocks found', async () => {
      const m = await getJson('/mining');
      return m.blocksFound > 1 ? m : undefined;
    });
    expect(mining.kernel).toMatch(/^(simd|scalar)$/); // job may be null: the test network idles between blocks (see MiningLoop)
    expect(mining.blocksFound).toBeGreaterThan(0);
    expect(await metric('carechain_blocks_mined_total')).toBe(mining.blocksFound);
    expect(await metric('carechain_blocks_accepted_total')).toBeGreaterThan(0);
    expect(await metric('carechain_job_switch_seconds_count')).toBeGreaterThan(0);
    expect(await metric('carechain_block_interval_seconds_count')).toBeGreaterThan(0);
  });

  it('keeps every acknowledged block and transaction through SIGKILL and a restart', async () => {
    const killed = current();
    // Enough blocks logged by this process for the check after the kill to mean something.
    await waitFor('4 blocks mined', async () => (minedBlocksIn(killed.log()).size > 3 ? true : undefined));
    await rewardSpendable();
    // Sent just before the kill, so they are likely still pending: the journal must bring them back.
    const friend = generateKeyPair();
    const sequence = await nextSequence();
    const pending = [0, 1, 2].map((i) => buildTransfer({ network: net, privateKey: owner.privateKey, sequence: sequence + i, fee: 500, recipient: friend.publicKey, amount: 1 + i }));
    for (const tx of pending) await acknowledge(tx);
    const before = await getJson('/status');
    killed.child.kill('SIGKILL');
    expect(await killed.exited).toMatchObject({ signal: 'SIGKILL' });

    // Every block the node logged as mined had been fsync'd before the line was written.
    const logged = minedBlocksIn(killed.log());
    expect(logged.size).toBeGreaterThan(3);

    await startNodeOnData();
    const after = await getJson('/status');
    expect(after.height).toBeGreaterThanOrEqual(before.height);
    expect((await getJson(`/blocks/${before.height}`)).hash).toBe(before.tip);
    const stored = new Map<number, string>();
    for (let from = 0; from <= Math.max(...logged.keys()); from += 100) {
      for (const b of (await getJson(`/blocks?from=${from}&limit=100`)).blocks) stored.set(b.height, b.hash);
    }
    for (const [height, hash] of logged) expect(stored.get(height), `block ${height}`).toBe(hash);
    // Its own three, and every transaction the tests before it had acknowledged.
    for (const txid of acknowledged) expect((await get(`/txs/${txid}`)).status).toBe(200);
    // Mined or still pending, each comes out in a block of the restarted node.
    for (const txid of acknowledged) await minedIn(txid);
  });

  it('answers bad input with 4xx problem+json while it keeps mining', async () => {
    await ownerHasSpent();
    const friend = generateKeyPair();
    const height = await metric('carechain_chain_height');
    const hashes = await metric('carechain_hashes_total');
    const good = buildTransfer({ network: net, privateKey: owner.privateKey, sequence: await nextSequence(), fee: 500, recipient: friend.publicKey, amount: 1 });
    const badSignature = { ...good, signature: Uint8Array.from(good.signature, (b, i) => (i === 0 ? b ^ 1 : b)) };
    const wrongSequence = buildTransfer({ network: net, privateKey: owner.privateKey, sequence: 0, fee: 500, recipient: friend.publicKey, amount: 1 });
    const otherNetwork = buildTransfer({ network: networks.dev, privateKey: owner.privateKey, sequence: good.sequence, fee: 500, recipient: friend.publicKey, amount: 1 });

    const send = (body: string, type = 'application/json') => httpRequest('/txs', { method: 'POST', type, body });
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
    await expectProblem(await send(JSON.stringify({ hex: '00'.repeat(1024 * 1024) })), 413, 'payload-too-large');
    await expectProblem(await get('/blocks/not-a-block'), 400, 'invalid-request');
    await expectProblem(await get('/accounts/xyz'), 400, 'invalid-request');
    await expectProblem(await get('/no/such/route'), 404, 'unknown-route');
    await expectProblem(await httpRequest('/mining/threads', { method: 'PUT', type: 'application/json', body: '{"threads":"two"}' }), 400, 'invalid-request');

    // A flood from one address: the rate limit answers 429 problems, the node stays up, and serves
    // other addresses meanwhile.
    const flooder = new Agent({ keepAlive: true, maxSockets: 16, localAddress: FLOODER });
    try {
      const flood = await Promise.all(Array.from({ length: 300 }, () => httpRequest('/status', { agent: flooder })));
      const limited = flood.filter((r) => r.status === 429);
      expect(limited.length).toBeGreaterThan(0);
      expect(flood.every((r) => r.status === 200 || r.status === 429)).toBe(true);
      await expectProblem(limited[0]!, 429, 'rate-limited');
      expect((await get('/status')).status).toBe(200);

      await waitFor('mining to go on', async () => ((await metric('carechain_chain_height')) > height && (await metric('carechain_hashes_total')) > hashes ? true : undefined));
      expect(await metric('carechain_transactions_rejected_total')).toBeGreaterThanOrEqual(4);
      expect((await get('/health')).status).toBe(200);
      // The limit is a pause, not a ban: the flooder's bucket refills and it is served again.
      await waitFor('the flooder to be served again', async () => ((await httpRequest('/status', { agent: flooder })).status === 200 ? true : undefined));
    } finally {
      flooder.destroy();
    }
  });

  it('stops cleanly on SIGTERM: exit code 0', async () => {
    const stopping = current();
    stopping.child.kill('SIGTERM');
    expect(await stopping.exited).toEqual({ code: 0, signal: null });
    expect(stopping.log()).toContain('stopped cleanly');
  });
});
