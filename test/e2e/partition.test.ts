import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/chain/keys.js';
import { buildTransfer } from '../../src/chain/signing.js';
import { removeTempDirs, testNet } from '../chain/helpers.js';
import { buildChainFixture, copyDataDir, type ChainFixture } from './chain-fixture.js';
import { waitFor } from './node-process.js';
import { startPeerNode, stopAllPeerNodes, txHex, waitForSameTip, type PeerNode } from './peer-nodes.js';

/**
 * Partition and heal through the control routes. {A, C} and {B} mine apart after B disconnects and
 * bans A; B mines a transaction on its side, then stops while A goes on. When B connects again
 * (lifting the ban), every node ends on A's branch, the one with the most work; B reports the reorg
 * and the transaction its lost blocks held is back in its mempool.
 */
let fixture: ChainFixture;
let a: PeerNode;
let b: PeerNode;
let c: PeerNode;

beforeAll(async () => {
  fixture = await buildChainFixture(testNet.coinbaseMaturity + 5, 0); // the fixture's key has matured rewards
  const dirs = [copyDataDir(fixture.dataDir), copyDataDir(fixture.dataDir), copyDataDir(fixture.dataDir)];
  a = await startPeerNode('A', ['--data', dirs[0]!, '-t', '1', '--coinbase', generateKeyPair().publicKey]);
  c = await startPeerNode('C', ['--data', dirs[1]!, '--no-mine', '--peer', a.p2pAddr]);
  b = await startPeerNode('B', ['--data', dirs[2]!, '-t', '1', '--coinbase', generateKeyPair().publicKey, '--peer', a.p2pAddr]);
  expect((await b.post('/mining/pause')).status).toBe(200);
}, 120_000);

afterAll(async () => {
  await stopAllPeerNodes();
  removeTempDirs();
});

const peerIds = async (n: PeerNode) => (await n.get<{ peers: { id: string }[] }>('/peers')).peers.map((p) => p.id);

describe('partition and heal', () => {
  it('heals onto the most-work chain; the loser reorgs and keeps its orphaned transaction', async () => {
    await waitForSameTip([a, b, c], fixture.height + 3);

    // Partition: B says goodbye to A and bans it, so neither side's dials get through.
    const cut = await b.del(`/peers/${a.peerId}?ban=600`);
    expect(cut.status).toBe(200);
    expect(await cut.json()).toMatchObject({ disconnected: true, bannedUntil: expect.any(String) });
    await waitFor('A and B apart', async () => (!(await peerIds(a)).includes(b.peerId) && !(await peerIds(b)).includes(a.peerId) ? true : undefined));
    expect((await b.get('/peers')).banned).toMatchObject([{ id: a.peerId, reason: 'operator' }]);
    const forkHeight = await b.height();

    // B mines a transfer on its side, a couple of blocks, then stops.
    const tx = buildTransfer({ network: testNet, privateKey: fixture.miner.privateKey, sequence: 0, fee: 900, recipient: generateKeyPair().publicKey, amount: 777 });
    const posted = await b.post('/txs', { hex: txHex(tx) });
    expect(posted.status).toBe(202);
    const { txid } = (await posted.json()) as { txid: string };
    expect((await b.post('/mining/resume')).status).toBe(200);
    await waitFor('B mines the transfer and a block on top', async () => {
      const [found, height] = await Promise.all([b.get(`/txs/${txid}`), b.height()]);
      return found.block && height >= Math.max(found.block.height, forkHeight) + 1 ? true : undefined;
    }, 60_000);
    expect((await b.post('/mining/pause')).status).toBe(200);
    const bHeight = await b.height();
    expect(await a.get(`/txs/${txid}`).catch((e: Error) => e.message)).toMatch(/404/); // A never heard of it

    // A (with C following) mines well past B.
    await waitForSameTip([a, c], bHeight + 5, 90_000);
    const reorgsBefore = await b.metric('carechain_reorgs_total');

    // Heal: B connects to A again, which lifts its ban.
    const healed = await b.post('/peers', { addr: a.p2pAddr });
    expect(healed.status).toBe(200);
    expect(await healed.json()).toMatchObject({ id: a.peerId });
    expect((await b.get('/peers')).banned).toEqual([]);
    const { height } = await waitForSameTip([a, b, c], bHeight + 5, 90_000);
    expect(height).toBeGreaterThan(bHeight);

    expect(await b.metric('carechain_reorgs_total')).toBeGreaterThan(reorgsBefore);
    expect(b.log()).toMatch(/chain: reorg of \d+ block\(s\)/);
    expect(await b.get(`/txs/${txid}`)).toMatchObject({ block: null, confirmations: 0 });
    expect((await b.get<{ entries: { txid: string }[] }>('/mempool')).entries.map((e) => e.txid)).toContain(txid);
    expect(await a.metric('carechain_reorgs_total')).toBe(0);
  });
});
