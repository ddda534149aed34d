import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_HEADERS } from '../../src/chain/chain.js';
import { generateKeyPair } from '../../src/chain/keys.js';
import { buildTransfer } from '../../src/chain/signing.js';
import { removeTempDirs, tempDir, testNet } from '../chain/helpers.js';
import { buildChainFixture, copyDataDir, type ChainFixture } from './chain-fixture.js';
import { waitFor } from './node-process.js';
import { startPeerNode, stopAllPeerNodes, txHex, waitForSameTip, type PeerNode } from './peer-nodes.js';

/**
 * A node started empty next to two nodes that hold a long chain (built in-process: more blocks than
 * one headers answer carries, transfers in nearly every block) catches up by itself: headers first,
 * then bodies from both peers in parallel, connected in order; and it takes their pending
 * transactions on connect.
 */
const BLOCKS = MAX_HEADERS + 300;
let fixture: ChainFixture;
let a: PeerNode;
let b: PeerNode;
let joiner: PeerNode;
let pendingTxid: string;

beforeAll(async () => {
  fixture = await buildChainFixture(BLOCKS, 2);
  const copy = copyDataDir(fixture.dataDir); // before A starts: each node makes its own peer identity
  a = await startPeerNode('A', ['--data', fixture.dataDir, '--no-mine']);
  b = await startPeerNode('B', ['--data', copy, '--no-mine', '--peer', a.p2pAddr]);
  const tx = buildTransfer({ network: testNet, privateKey: fixture.miner.privateKey, sequence: fixture.nextSequence, fee: 700, recipient: generateKeyPair().publicKey, amount: 99 });
  const res = await a.post('/txs', { hex: txHex(tx) });
  if (res.status !== 202) throw new Error(`pending tx refused: ${await res.text()}`);
  pendingTxid = ((await res.json()) as { txid: string }).txid;
}, 180_000);

afterAll(async () => {
  await stopAllPeerNodes();
  removeTempDirs();
});

describe('a late joiner', () => {
  it(`syncs a chain of ${BLOCKS} blocks with transactions from two peers`, async () => {
    expect(await a.height()).toBe(fixture.height);
    joiner = await startPeerNode('joiner', ['--data', tempDir(), '--no-mine', '--peer', a.p2pAddr, '--peer', b.p2pAddr]);
    const early = await waitFor('the joiner to see the best header', async () => {
      const s = await joiner.get('/status');
      return s.sync?.bestHeaderHeight > 0 ? s : undefined;
    }, 30_000, 100);
    expect(early.sync.state === 'syncing' || early.height === fixture.height).toBe(true);

    const { tip } = await waitForSameTip([a, b, joiner], fixture.height, 180_000);
    expect(tip).toBe(fixture.tip);
    expect(await joiner.get('/status')).toMatchObject({ peers: 2, sync: { state: 'synced', bestHeaderHeight: fixture.height, blocksRemaining: 0 } });
    // Headers came 2000 at a time, bodies from both peers.
    expect(await joiner.metric('carechain_reqresp_requests_total', { protocol: 'headers', role: 'client', result: 'ok' })).toBeGreaterThanOrEqual(2);
    for (const server of [a, b]) expect(await server.metric('carechain_reqresp_requests_total', { protocol: 'blocks', role: 'server', result: 'ok' }), server.name).toBeGreaterThan(0);
    expect(await joiner.metric('carechain_blocks_accepted_total', { source: 'peer' })).toBe(fixture.height);
    // Every transaction is there, mined where it was.
    for (const txid of [fixture.txids[0]!, fixture.txids[Math.floor(fixture.txids.length / 2)]!, fixture.txids.at(-1)!]) {
      const [there, here] = await Promise.all([a.get(`/txs/${txid}`), joiner.get(`/txs/${txid}`)]);
      expect(here.block).toEqual(there.block);
    }
  });

  it("took the peers' pending transactions on connect", async () => {
    const pending = await waitFor('the pending tx on the joiner', async () => {
      const found = await joiner.get(`/txs/${pendingTxid}`).catch(() => undefined);
      return found ?? undefined;
    }, 20_000);
    expect(pending).toMatchObject({ block: null, confirmations: 0 });
  });
});
