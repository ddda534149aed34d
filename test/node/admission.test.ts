import { appendFileSync, existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Block } from '../../src/chain/block.js';
import type { Chain } from '../../src/chain/chain.js';
import { COIN, subsidyAt } from '../../src/chain/network.js';
import { buildTransfer } from '../../src/chain/signing.js';
import { encodeTx, txidHex, type CoinbaseTx, type SignedTx } from '../../src/chain/tx.js';
import { TxAdmission, type AdmissionOptions } from '../../src/node/admission.js';
import { DAMAGED_FILE, formatRecord, MEMPOOL_JOURNAL_FILE, parseJournal, REJECTED_FILE } from '../../src/store/mempool-journal.js';
import { draft, keys, mineMany, mineNext, openChain, removeTempDirs, seal, tempDir, testNet } from '../chain/helpers.js';
import { mountSmallDisk, smallDiskUnavailable, type SmallDisk } from '../helpers/small-disk.js';

// The one door for transactions: journaled and fsync'd before the mempool and before anyone hears
// of it; a failing disk admits nothing and says so; nothing acknowledged is dropped without a trace.

const open: { chain: Chain; admission: TxAdmission }[] = [];
const disks: SmallDisk[] = [];
afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.admission.close().catch(() => undefined);
    await o.chain.close().catch(() => undefined);
  }
  for (const d of disks.splice(0)) d.unmount();
  removeTempDirs();
});

async function node(dataDir = tempDir(), options: AdmissionOptions = {}) {
  const chain = await openChain({ dataDir });
  const { admission, report } = await TxAdmission.open(chain, dataDir, options);
  open.push({ chain, admission });
  return { chain, admission, report, dataDir };
}

async function reopen(n: { chain: Chain; admission: TxAdmission; dataDir: string }, options: AdmissionOptions = {}) {
  await n.admission.close();
  await n.chain.close();
  open.splice(open.findIndex((o) => o.chain === n.chain), 1);
  return node(n.dataDir, options);
}

/** A key with mature funds on `chain`. */
async function funded(chain: Chain) {
  const key = keys();
  await mineNext(chain, { recipient: key.publicKey });
  await mineMany(chain, testNet.coinbaseMaturity);
  return key;
}

function pay(from: { privateKey: string }, sequence: number, options: { fee?: number; to?: string; amount?: number } = {}): SignedTx {
  return buildTransfer({ network: testNet, privateKey: from.privateKey, sequence, fee: options.fee ?? 1000, recipient: options.to ?? keys().publicKey, amount: options.amount ?? 1 });
}

const journalOf = (dir: string) => parseJournal(readFileSync(join(dir, MEMPOOL_JOURNAL_FILE)));

/** A block on the tip with no transactions (the mempool stays pending across it). */
async function emptyBlock(chain: Chain): Promise<Block> {
  const block = draft(chain);
  const coinbase = block.txs[0] as CoinbaseTx;
  block.txs = [{ ...coinbase, value: subsidyAt(testNet, coinbase.height) }]; // no fees: no transactions
  seal(block);
  expect(await chain.submitBlock(block, 'api')).toMatchObject({ status: 'accepted' });
  return block;
}

describe('admission', () => {
  it('announces a transaction only once its journal record is on disk, then it is in the mempool', async () => {
    const n = await node();
    const alice = await funded(n.chain);
    const tx = pay(alice, 0);
    const seenOnDisk: boolean[] = [];
    n.chain.on('tx-accepted', (e) => seenOnDisk.push(journalOf(n.dataDir).records.some((r) => r.type === 'tx' && txidHex(tx) === e.txid)));
    const outcome = n.admission.admit(encodeTx(tx), 'api');
    expect(n.chain.mempoolInfo().count).toBe(0); // not before the fsync
    expect(await outcome).toEqual({ status: 'accepted', txid: txidHex(tx) });
    expect(seenOnDisk).toEqual([true]);
    expect(n.chain.mempool.has(txidHex(tx))).toBe(true);
    expect(await n.admission.admit(encodeTx(tx), 'api')).toEqual({ status: 'known', txid: txidHex(tx) });
  });

  it('checks each submission on top of the ones still being written: sequences n and n + 1 together', async () => {
    const n = await node();
    const alice = await funded(n.chain);
    const outcomes = await Promise.all([0, 1, 2, 3].map((s) => n.admission.admit(encodeTx(pay(alice, s)), 'api')));
    expect(outcomes.map((o) => o.status)).toEqual(['accepted', 'accepted', 'accepted', 'accepted']);
    expect(n.chain.account(alice.publicKey).pendingSequence).toBe(4);
    // A gap is refused up front, nothing written.
    expect(await n.admission.admit(encodeTx(pay(alice, 9)), 'api')).toMatchObject({ status: 'rejected', reason: 'bad-sequence', penalty: 'none' });
    expect(journalOf(n.dataDir).records).toHaveLength(4);
  });

  it('gathers transactions from peers into one journal write', async () => {
    const n = await node(undefined, { peerGatherMs: 200 });
    const alice = await funded(n.chain);
    const appends: number[] = [];
    const journal = (n.admission as unknown as { journal: { append(records: unknown[]): Promise<void> } }).journal;
    const append = journal.append.bind(journal);
    journal.append = (records) => (appends.push(records.length), append(records));

    // Three gossiped ones arrive 20 ms apart, well inside the window: one write for the three.
    const fromPeers: Promise<unknown>[] = [];
    for (const s of [0, 1, 2]) {
      fromPeers.push(n.admission.admit(encodeTx(pay(alice, s)), 'peer'));
      await new Promise((r) => setTimeout(r, 20));
    }
    expect(appends).toEqual([]);
    expect(n.chain.mempoolInfo().count).toBe(0);
    expect((await Promise.all(fromPeers)).map((o) => (o as { status: string }).status)).toEqual(['accepted', 'accepted', 'accepted']);
    expect(appends).toEqual([3]);

    expect(journalOf(n.dataDir).records).toHaveLength(3);
  });

  it('writes an API submission at once, and the peers’ transactions waiting in the window with it', async () => {
    const n = await node(undefined, { peerGatherMs: 600_000 });
    const alice = await funded(n.chain);
    const peerTx = n.admission.admit(encodeTx(pay(alice, 0)), 'peer');
    const apiTx = n.admission.admit(encodeTx(pay(alice, 1)), 'api');
    const held = new Promise((r) => setTimeout(() => r('held for the window'), 10_000));
    expect(await Promise.race([apiTx, held])).toMatchObject({ status: 'accepted' });
    expect(await Promise.race([peerTx, held])).toMatchObject({ status: 'accepted' });
    expect(journalOf(n.dataDir).records).toHaveLength(2);
  });

  it('writes what peers sent before it closes, even inside the gathering window', async () => {
    const n = await node(undefined, { peerGatherMs: 60_000 });
    const alice = await funded(n.chain);
    const outcome = n.admission.admit(encodeTx(pay(alice, 0)), 'peer');
    await n.admission.close();
    expect(await outcome).toMatchObject({ status: 'accepted' });
    expect(journalOf(n.dataDir).records).toHaveLength(1);
  });

  it('replays in admission order after a tip change, so a funding transfer comes back before the spend that needs it', async () => {
    const n = await node(tempDir(), { compactMinRecords: 0 });
    const alice = await funded(n.chain);
    const bob = keys();
    const fund = pay(alice, 0, { to: bob.publicKey, amount: COIN });
    const spend = pay(bob, 0, { fee: 5000 });
    expect((await n.admission.admit(encodeTx(fund), 'api')).status).toBe('accepted');
    expect((await n.admission.admit(encodeTx(spend), 'api')).status).toBe('accepted');
    await emptyBlock(n.chain); // a new tip: the pool is re-validated, every entry reordered…
    await n.admission.maintain(); // …and the journal compacted from it
    const again = await reopen(n);
    expect(again.report).toMatchObject({ restored: 2, held: {}, rejected: {} });
    expect(again.chain.mempool.has(txidHex(spend))).toBe(true);
  });

  it('costs a damaged record only itself: the sender’s later transactions are held, then admitted once the gap is filled', async () => {
    const n = await node();
    const alice = await funded(n.chain);
    const txs = [0, 1, 2, 3, 4].map((s) => pay(alice, s));
    for (const tx of txs) expect((await n.admission.admit(encodeTx(tx), 'api')).status).toBe('accepted');
    await n.admission.close();
    await n.chain.close();
    open.splice(0);
    const path = join(n.dataDir, MEMPOOL_JOURNAL_FILE);
    const lines = readFileSync(path, 'utf8').split('\n');
    lines[0] = lines[0]!.replace(/ \*([0-9a-f]{8})$/, ' *00000000'); // the first record's checksum no longer matches
    writeFileSync(path, lines.join('\r\n')); // and CRLF endings, as an editor might leave them
    const again = await node(n.dataDir);
    expect(again.report).toMatchObject({ restored: 0, damaged: 1, held: { 'bad-sequence': 4 } });
    await again.admission.maintain();
    expect(readFileSync(join(n.dataDir, DAMAGED_FILE), 'utf8')).toContain('checksum mismatch');
    // The owner sends the lost one again: the held four follow on the next block.
    expect((await again.admission.admit(encodeTx(txs[0]!), 'api')).status).toBe('accepted');
    await emptyBlock(again.chain);
    expect(again.chain.account(alice.publicKey).pendingSequence).toBe(5);
    expect(again.admission.heldCount).toBe(0);
  });

  it('keeps the journal’s transactions when the chain comes back empty, and admits them once it is back', async () => {
    const n = await node();
    const alice = await funded(n.chain);
    const blocks = Array.from({ length: n.chain.tip().height }, (_, i) => n.chain.blockByHeight(i + 1)!.block);
    const tx = pay(alice, 0);
    expect((await n.admission.admit(encodeTx(tx), 'api')).status).toBe('accepted');
    await n.admission.close();
    await n.chain.close();
    open.splice(0);
    // The block log is gone (an operator's mistake, a restore from an old backup): height 0.
    writeFileSync(join(n.dataDir, 'blocks.log'), '');
    const empty = await node(n.dataDir);
    expect(empty.chain.tip().height).toBe(0);
    expect(empty.report.held).toEqual({ 'insufficient-funds': 1 });
    await empty.admission.maintain();
    expect(journalOf(n.dataDir).records.some((r) => r.type === 'tx' && Buffer.from(r.bytes).equals(Buffer.from(encodeTx(tx))))).toBe(true);
    for (const block of blocks) await empty.chain.submitBlock(block, 'peer');
    expect(empty.chain.mempool.has(txidHex(tx))).toBe(true);
  });

  it('remembers an evicted transaction for 410, counts it, and marks it in the journal so a restart does not revive it', async () => {
    const dir = tempDir();
    const chain = await openChain({ dataDir: dir, mempool: { maxCount: 3, evictionBatch: 0.01 } });
    const { admission } = await TxAdmission.open(chain, dir);
    open.push({ chain, admission });
    const senders = [];
    for (let i = 0; i < 5; i++) senders.push(await funded(chain));
    const cheapest = [pay(senders[0]!, 0, { fee: 300 }), pay(senders[1]!, 0, { fee: 400 })];
    for (const [i, tx] of [...cheapest, pay(senders[2]!, 0, { fee: 3000 })].entries()) {
      expect((await admission.admit(encodeTx(tx), 'api')).status, `tx ${i}`).toBe('accepted');
    }
    const cheap = cheapest[0]!;
    const evicted: string[] = [];
    admission.on('evicted', (g) => evicted.push(g.txid));
    // Full: room for the newcomer and one more (the batch) is made from the two cheapest.
    expect((await admission.admit(encodeTx(pay(senders[3]!, 0, { fee: 9000 })), 'api')).status).toBe('accepted');
    expect(evicted.sort()).toEqual(cheapest.map(txidHex).sort());
    expect(admission.goneTransaction(txidHex(cheap))).toMatchObject({ kind: 'evicted', feeRate: 300 / encodeTx(cheap).length });
    // The marker is written with the next record.
    await admission.admit(encodeTx(pay(senders[4]!, 0, { fee: 9000 })), 'api');
    expect(journalOf(dir).records.some((r) => r.type === 'evict' && r.txid === txidHex(cheap))).toBe(true);
    await admission.close();
    await chain.close();
    open.splice(0);
    const again = await node(dir);
    expect(again.chain.mempool.has(txidHex(cheap))).toBe(false);
    expect(again.admission.goneTransaction(txidHex(cheap))).toMatchObject({ kind: 'evicted' });
  });

  it('saves aside, with its reason, an acknowledged transaction a block made invalid for good', async () => {
    const n = await node();
    const alice = await funded(n.chain);
    const pending = pay(alice, 0, { fee: 1000 });
    expect((await n.admission.admit(encodeTx(pending), 'api')).status).toBe('accepted');
    // A conflicting spend of the same sequence is mined (another node's block).
    const block = draft(n.chain);
    block.txs = [block.txs[0]!, pay(alice, 0, { fee: 2000 })];
    expect(await n.chain.submitBlock(seal(block), 'peer')).toMatchObject({ status: 'accepted' });
    expect(n.admission.goneTransaction(txidHex(pending))).toMatchObject({ kind: 'dropped', reason: 'bad-sequence' });
    await n.admission.maintain();
    expect(readFileSync(join(n.dataDir, REJECTED_FILE), 'utf8')).toContain(`${txidHex(pending)} bad-sequence`);
  });
});

describe.skipIf(smallDiskUnavailable() !== undefined)(`admission on a full disk (${smallDiskUnavailable() ?? 'a real tmpfs'})`, () => {
  it('admits nothing while the journal cannot be written, tells the client to retry, and recovers by itself', async () => {
    const disk = mountSmallDisk(4 * 1024 * 1024);
    disks.push(disk);
    const n = await node(disk.dir, { retryAfterSeconds: 7 });
    const alice = await funded(n.chain);
    const announced: string[] = [];
    n.chain.on('tx-accepted', (e) => announced.push(e.txid));
    disk.fill(0);
    const tx = pay(alice, 0);
    const outcome = await n.admission.admit(encodeTx(tx), 'api');
    expect(outcome).toMatchObject({ status: 'unavailable', retryAfterSeconds: 7 });
    expect(n.chain.mempoolInfo().count).toBe(0);
    expect(announced).toEqual([]);
    expect(n.admission.storageAvailable).toBe(false);
    disk.free();
    expect(await n.admission.admit(encodeTx(tx), 'api')).toMatchObject({ status: 'accepted' });
    expect(n.admission.storageAvailable).toBe(true);
    expect(announced).toEqual([txidHex(tx)]);
    const records = journalOf(disk.dir);
    expect(records.damaged).toEqual([]);
    expect(records.records.filter((r) => r.type === 'tx')).toHaveLength(1);
  });

  it('starts on a full disk: the journal is read, not rewritten, and the node serves', async () => {
    const disk = mountSmallDisk(4 * 1024 * 1024);
    disks.push(disk);
    const n = await node(disk.dir);
    const alice = await funded(n.chain);
    for (const s of [0, 1, 2]) await n.admission.admit(encodeTx(pay(alice, s)), 'api');
    appendFileSync(join(disk.dir, MEMPOOL_JOURNAL_FILE), formatRecord({ type: 'tx', seq: 99, bytes: new Uint8Array([1, 2, 3]) }).replace('*', '*0'));
    const before = readFileSync(join(disk.dir, MEMPOOL_JOURNAL_FILE));
    await n.admission.close();
    await n.chain.close();
    open.splice(0);
    disk.fill(0);
    const again = await node(disk.dir);
    expect(again.report).toMatchObject({ restored: 3, damaged: 1 });
    await again.admission.maintain(); // cannot save the damaged line aside yet: keeps it in the journal
    expect(readFileSync(join(disk.dir, MEMPOOL_JOURNAL_FILE))).toEqual(before);
    expect(existsSync(join(disk.dir, DAMAGED_FILE)) ? readFileSync(join(disk.dir, DAMAGED_FILE), 'utf8') : '').toBe('');
    disk.free();
    await again.admission.maintain();
    expect(readFileSync(join(disk.dir, DAMAGED_FILE), 'utf8')).toContain('offset');
  });
});
