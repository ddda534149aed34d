import { appendFileSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Chain } from '../../src/chain/chain.js';
import { buildTransfer } from '../../src/chain/signing.js';
import { encodeTx } from '../../src/chain/tx.js';
import { MEMPOOL_JOURNAL_FILE, MempoolJournal } from '../../src/store/mempool-journal.js';
import { keys, mineMany, mineNext, openChain, removeTempDirs, tempDir, testNet } from '../chain/helpers.js';

const payer = keys();
const payee = keys().publicKey;
const open: { chain: Chain; journal?: MempoolJournal }[] = [];

afterEach(async () => {
  for (const o of open.splice(0)) {
    await o.journal?.close();
    await o.chain.close();
  }
  removeTempDirs();
});

async function start(dataDir: string) {
  const chain = await openChain({ dataDir });
  const opened = await MempoolJournal.open(dataDir, chain);
  open.push({ chain, journal: opened.journal });
  return { chain, ...opened };
}

function transfer(sequence: number) {
  return encodeTx(buildTransfer({ network: testNet, privateKey: payer.privateKey, sequence, fee: 100, recipient: payee, amount: 1 }));
}

describe('MempoolJournal', () => {
  it('brings acknowledged transactions back into the mempool after a restart, in order', async () => {
    const dir = tempDir();
    const first = await start(dir);
    await mineNext(first.chain, { recipient: payer.publicKey });
    await mineMany(first.chain, testNet.coinbaseMaturity);
    const raws = [0, 1, 2].map(transfer);
    for (const raw of raws) expect(first.chain.acceptTransaction(raw).accepted).toBe(true);
    await Promise.all(raws.map((raw) => first.journal.append(raw))); // concurrent appends share an fsync
    // No close: as after a SIGKILL, only what is on disk counts.
    open.pop();
    await first.chain.close();

    const second = await start(dir);
    expect(second).toMatchObject({ restored: 3, dropped: 0 });
    expect(second.chain.mempoolInfo().count).toBe(3);
    expect(second.chain.account(payer.publicKey).pendingSequence).toBe(3);
  });

  it('drops mined or no longer valid lines and a torn last line, and rewrites the file without them', async () => {
    const dir = tempDir();
    const first = await start(dir);
    await mineNext(first.chain, { recipient: payer.publicKey });
    await mineMany(first.chain, testNet.coinbaseMaturity);
    for (const raw of [transfer(0), transfer(1)]) {
      first.chain.acceptTransaction(raw);
      await first.journal.append(raw);
    }
    await mineNext(first.chain); // mines both
    const pending = transfer(2);
    first.chain.acceptTransaction(pending);
    await first.journal.append(pending);
    await first.journal.close();
    open.pop();
    await first.chain.close();
    const path = join(dir, MEMPOOL_JOURNAL_FILE);
    appendFileSync(path, Buffer.from(transfer(3)).toString('hex').slice(0, 50)); // a write cut short by a crash

    const second = await start(dir);
    expect(second).toMatchObject({ restored: 1, dropped: 3 });
    expect(readFileSync(path, 'utf8')).toBe(Buffer.from(pending).toString('hex') + '\n');
  });

  it('compacts to the current mempool once mined transactions make up most of the file', async () => {
    const dir = tempDir();
    const { chain, journal } = await start(dir);
    await mineNext(chain, { recipient: payer.publicKey });
    await mineMany(chain, testNet.coinbaseMaturity);
    for (let s = 0; s < 4; s++) {
      const raw = transfer(s);
      chain.acceptTransaction(raw);
      await journal.append(raw);
    }
    await mineNext(chain);
    const left = transfer(4);
    chain.acceptTransaction(left);
    await journal.append(left);
    await journal.compactIfStale(chain, 1);
    expect(readFileSync(join(dir, MEMPOOL_JOURNAL_FILE), 'utf8')).toBe(Buffer.from(left).toString('hex') + '\n');
    // Appends after a compaction land in the new file.
    const next = transfer(5);
    chain.acceptTransaction(next);
    await journal.append(next);
    expect(readFileSync(join(dir, MEMPOOL_JOURNAL_FILE), 'utf8').trim().split('\n')).toHaveLength(2);
  });
});
