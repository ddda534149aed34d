import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { Chain } from '../../src/chain/chain.js';
import { buildTransfer } from '../../src/chain/signing.js';
import { encodeTx, txidHex } from '../../src/chain/tx.js';
import { createApp } from '../../src/http/app.js';
import { transactionLookupView } from '../../src/http/response-schemas.js';
import { TxAdmission } from '../../src/node/admission.js';
import { NodeApiAdapter, type NodeParts } from '../../src/node/api-adapter.js';
import { keys, mineMany, mineNext, openChain, removeTempDirs, tempDir, testNet } from '../chain/helpers.js';
import { expectProblem } from '../http/problem-assertions.js';

// What GET /txs/:txid says about a transaction the node acknowledged and no longer holds in its pool.

let chain: Chain;
let admission: TxAdmission;
afterEach(async () => {
  await admission?.close();
  await chain?.close();
  removeTempDirs();
});

async function setup(maxCount: number) {
  const dir = tempDir();
  chain = await openChain({ dataDir: dir, mempool: { maxCount } });
  admission = (await TxAdmission.open(chain, dir)).admission;
  const api = new NodeApiAdapter({ chain, miner: null, admission, startedAt: performance.now() } satisfies NodeParts);
  return createApp({ api, host: '127.0.0.1', rateLimit: false });
}

async function funded() {
  const key = keys();
  await mineNext(chain, { recipient: key.publicKey });
  await mineMany(chain, testNet.coinbaseMaturity);
  return key;
}

const pay = (from: { privateKey: string }, sequence: number, fee: number) =>
  buildTransfer({ network: testNet, privateKey: from.privateKey, sequence, fee, recipient: keys().publicKey, amount: 1 });

describe('GET /txs/:txid for an acknowledged transaction that left the pool', () => {
  it('answers 410 evicted with the fee rate it paid and the one it lost to', async () => {
    const app = await setup(2);
    const [a, b, c] = [await funded(), await funded(), await funded()];
    const cheap = pay(a, 0, 200);
    await admission.admit(encodeTx(cheap), 'api');
    await admission.admit(encodeTx(pay(b, 0, 5000)), 'api');
    const rich = pay(c, 0, 9000);
    expect((await admission.admit(encodeTx(rich), 'api')).status).toBe('accepted');
    const res = await app.request(`/txs/${txidHex(cheap)}`);
    const body = await expectProblem(res, 410, 'evicted');
    expect(body).toMatchObject({ txid: txidHex(cheap), feeRate: 200 / encodeTx(cheap).length, lostTo: 9000 / encodeTx(rich).length });
    expect(body.detail).toMatch(/send it again with a higher fee/);
  });

  it('answers 200 with `held` for one waiting until it can apply again, and 404 for one never seen', async () => {
    const dir = tempDir();
    chain = await openChain({ dataDir: dir });
    admission = (await TxAdmission.open(chain, dir)).admission;
    const a = await funded();
    const tx = pay(a, 0, 1000);
    expect((await admission.admit(encodeTx(tx), 'api')).status).toBe('accepted');
    await admission.close();
    await chain.close();
    writeFileSync(join(dir, 'blocks.log'), ''); // the chain comes back empty: the payer has nothing yet
    chain = await openChain({ dataDir: dir });
    admission = (await TxAdmission.open(chain, dir)).admission;
    const app = createApp({ api: new NodeApiAdapter({ chain, miner: null, admission, startedAt: performance.now() }), host: '127.0.0.1', rateLimit: false });
    const res = await app.request(`/txs/${txidHex(tx)}`);
    expect(res.status).toBe(200);
    expect(transactionLookupView.parse(await res.json())).toMatchObject({ block: null, confirmations: 0, held: { reason: 'insufficient-funds' } });
    await expectProblem(await app.request(`/txs/${'ef'.repeat(32)}`), 404, 'not-found');
  });
});
