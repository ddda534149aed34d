import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBlock, blockHashHex } from '../../src/chain/block.js';
import type { Chain } from '../../src/chain/chain.js';
import { decodeHeader } from '../../src/chain/header.js';
import { toHex } from '../../src/chain/hash.js';
import { verifyReceipt } from '../../src/chain/receipt.js';
import { buildRecord, buildTransfer, commitmentOf, newSalt } from '../../src/chain/signing.js';
import { encodeTx } from '../../src/chain/tx.js';
import { createApp } from '../../src/http/app.js';
import * as views from '../../src/http/response-schemas.js';
import { createNodeMetrics } from '../../src/metrics/registry.js';
import { NodeApiAdapter, statsSourceOf, type NodeParts } from '../../src/node/api-adapter.js';
import { MEMPOOL_JOURNAL_FILE } from '../../src/store/mempool-journal.js';
import { TxAdmission } from '../../src/node/admission.js';
import { burnKey, keys, mineMany, mineNext, openChain, removeTempDirs, tempDir, testNet } from '../chain/helpers.js';

const provider = keys();
const payee = keys().publicKey;
const subject = new Uint8Array(32).fill(0x42);
let chain: Chain;
let admission: TxAdmission;
let api: NodeApiAdapter;
let dir: string;
let recordTxid: string;
let pendingTxid: string;
/** The block that holds the record: one reward block, its maturity, then this one. */
const RECORD_HEIGHT = 2 + testNet.coinbaseMaturity;

beforeAll(async () => {
  dir = tempDir();
  chain = await openChain({ dataDir: dir });
  admission = (await TxAdmission.open(chain, dir)).admission;
  const parts: NodeParts = { chain, miner: null, admission, startedAt: performance.now() };
  api = new NodeApiAdapter(parts);
  parts.metrics = createNodeMetrics(statsSourceOf(api), { defaultMetrics: false });

  await mineNext(chain, { recipient: provider.publicKey });
  await mineMany(chain, testNet.coinbaseMaturity); // the reward matures
  const record = buildRecord({
    network: testNet, privateKey: provider.privateKey, sequence: 0, fee: 500, subject, resourceType: 'Observation',
    commitment: commitmentOf(newSalt(), Buffer.from('doc')), locator: 'ehr://obs/1',
  });
  const submitted = await api.submitTransaction(encodeTx(record));
  if (!submitted.accepted) throw new Error(submitted.detail);
  recordTxid = submitted.txid;
  await mineNext(chain);
  const pending = await api.submitTransaction(encodeTx(buildTransfer({ network: testNet, privateKey: provider.privateKey, sequence: 1, fee: 100, recipient: payee, amount: 7 })));
  if (!pending.accepted) throw new Error(pending.detail);
  pendingTxid = pending.txid;
});

afterAll(async () => {
  await admission.close();
  await chain.close();
  removeTempDirs();
});

describe('NodeApiAdapter over a real chain', () => {
  it('says the Stratum server is off when the node has none, in the /stratum shape', () => {
    const view = api.stratum();
    expect(views.stratumView.parse(view)).toEqual({ enabled: false, url: null, sessions: [], hashrate: 0 });
    expect(statsSourceOf(api).stratumSessions!()).toBe(0);
  });

  it('answers in the shapes the API documents (src/http/views.ts)', async () => {
    expect(views.nodeStatusView.parse(api.status())).toMatchObject({ network: 'test', height: RECORD_HEIGHT, tip: chain.tip().hash, mining: { paused: true, threads: 0 }, mempool: { transactions: 1 } });
    const page = api.listBlocks(0, 10);
    expect(page.map((b) => b.height)).toEqual(Array.from({ length: RECORD_HEIGHT + 1 }, (_, h) => h));
    for (const b of page) views.blockSummaryView.parse(b);
    const block = views.blockView.parse(api.getBlock({ height: RECORD_HEIGHT }));
    expect(block.txids).toContain(recordTxid);
    expect(api.getBlock({ hash: block.hash })).toEqual(block);
    expect(block.header.prevHash).toBe(page[RECORD_HEIGHT - 1]!.hash);
    expect(blockHashHex(decodeBlock(api.getRawBlock({ height: RECORD_HEIGHT })!))).toBe(block.hash);
    expect(api.getBlock({ height: RECORD_HEIGHT + 1 })).toBeNull();

    const mined = views.transactionLookupView.parse(api.getTransaction(recordTxid));
    expect(mined).toMatchObject({ block: { height: RECORD_HEIGHT, hash: block.hash }, confirmations: 1, tx: { kind: 'record', sender: provider.publicKey, subject: toHex(subject), resourceType: 'Observation' } });
    expect(views.transactionLookupView.parse(api.getTransaction(pendingTxid))).toMatchObject({ block: null, confirmations: 0, tx: { kind: 'transfer', amount: 7, recipient: payee } });
    const coinbase = api.getTransaction(block.txids[0]!)!;
    expect(coinbase.tx).toMatchObject({ kind: 'coinbase', height: RECORD_HEIGHT });

    expect(views.mempoolView.parse(api.mempool()).entries).toMatchObject([{ txid: pendingTxid, kind: 'transfer', sender: provider.publicKey }]);
    expect(views.recordView.parse(api.getRecord(recordTxid))).toMatchObject({ owner: provider.publicKey, height: RECORD_HEIGHT });
    expect(api.subjectTrail(toHex(subject)).map((e) => views.auditEntryView.parse(e))).toMatchObject([{ txid: recordTxid, kind: 'record' }]);
    expect(views.miningSummaryView.parse(api.mining())).toMatchObject({ threads: 0, kernel: 'none', job: null, blocksFound: 0 });
  });

  it('gives the confirmed sequence and the one a wallet signs next', () => {
    expect(views.accountView.parse(api.getAccount(provider.publicKey))).toMatchObject({ sequence: 1, pendingSequence: 2 });
  });

  it('tells the spendable part of a balance from coinbase rewards short of maturity', () => {
    // burnKey holds the rewards of heights 2..RECORD_HEIGHT; the next block may spend those of h + maturity <= its height.
    const next = RECORD_HEIGHT + 1;
    const rewards = Array.from({ length: RECORD_HEIGHT - 1 }, (_, i) => i + 2).map((height) => {
      const coinbase = api.getTransaction(api.getBlock({ height })!.txids[0]!)!.tx as unknown as { recipient: string; value: number };
      expect(coinbase.recipient).toBe(burnKey);
      return { height, value: coinbase.value };
    });
    const locked = rewards.filter((r) => r.height + testNet.coinbaseMaturity > next).reduce((sum, r) => sum + r.value, 0);
    expect(locked).toBeGreaterThan(0);
    expect(views.accountView.parse(api.getAccount(burnKey))).toMatchObject({
      balance: rewards.reduce((sum, r) => sum + r.value, 0),
      immature: locked,
      spendable: rewards.reduce((sum, r) => sum + r.value, 0) - locked,
    });
    expect(api.getAccount(provider.publicKey).immature).toBe(0);
  });

  it('serves receipts that verify offline, and anchored by the headers it serves', () => {
    const receipt = views.receiptView.parse(api.getReceipt(recordTxid));
    expect(verifyReceipt(receipt)).toMatchObject({ valid: true, status: 'unanchored' });
    expect(api.getReceipt(pendingTxid)).toBeNull();
    const count = RECORD_HEIGHT + 1; // genesis to the tip
    const raw = api.listHeaders(0, 100);
    expect(raw.length).toBe(count * 80);
    const heights = Array.from({ length: count }, (_, h) => h);
    const hashes = heights.map((i) => blockHashHex({ header: decodeHeader(raw.subarray(i * 80, i * 80 + 80)), txs: [] }));
    expect(hashes).toEqual(heights.map((h) => chain.blockByHeight(h)!.hash));
    expect(api.listHeaders(1, 1)).toEqual(raw.subarray(80, 160));
    expect(api.listHeaders(count, 5).length).toBe(0);
    const node = { kind: 'node' as const, name: 'adapter', network: 'test', tipHeight: RECORD_HEIGHT, hashAt: (h: number) => hashes[h] };
    expect(verifyReceipt(receipt, { chains: [node] })).toMatchObject({ valid: true, status: 'buried' });
  });

  it('acknowledges a transaction only once it is in the journal, and passes rejections on with the chain reason', async () => {
    const lines = readFileSync(join(dir, MEMPOOL_JOURNAL_FILE), 'utf8').trim().split('\n');
    expect(lines).toHaveLength(2); // the record and the pending transfer
    const replay = buildTransfer({ network: testNet, privateKey: provider.privateKey, sequence: 0, fee: 100, recipient: payee, amount: 7 });
    expect(await api.submitTransaction(encodeTx(replay))).toMatchObject({ accepted: false, reason: 'bad-sequence' });
    expect(await api.submitTransaction(new Uint8Array([9, 9, 9]))).toMatchObject({ accepted: false, reason: expect.stringMatching(/^malformed/) });
  });

  it('refuses the mining controls on a node started with --no-mine', async () => {
    await expect(api.pauseMining()).rejects.toMatchObject({ status: 409, slug: 'mining-disabled' });
    expect(() => api.resumeMining()).toThrow(/--no-mine/);
    const app = createApp({ api, host: '127.0.0.1' });
    const res = await app.request('/mining/threads', { method: 'PUT', headers: { 'content-type': 'application/json' }, body: '{"threads":2}' });
    expect(res.status).toBe(409);
  });

  it('feeds the metrics registry from the chain at scrape time', async () => {
    const app = createApp({ api, host: '127.0.0.1' });
    const text = await (await app.request('/metrics')).text();
    expect(text).toMatch(new RegExp(`^carechain_chain_height ${RECORD_HEIGHT}$`, 'm'));
    expect(text).toMatch(/^carechain_mempool_transactions 1$/m);
    expect(text).toMatch(/^carechain_mining_workers 0$/m);
  });
});
