import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/chain/keys.js';
import { networks } from '../../src/chain/network.js';
import { verifyReceipt } from '../../src/chain/receipt.js';
import { buildTransfer } from '../../src/chain/signing.js';
import { removeTempDirs, tempDir } from '../chain/helpers.js';
import { waitFor } from './node-process.js';
import { startPeerNode, stopAllPeerNodes, txHex, waitForSameTip, type PeerNode } from './peer-nodes.js';

/**
 * Three `carechain start` processes in a line over TCP on loopback, A – B – C: A mines, B and C
 * only follow. C must see every block A mines (through B, by gossip and sync), a transaction sent
 * to C must reach A (C → B → A by gossip), be mined there, and C must serve its receipt.
 */
const owner = generateKeyPair();
const friend = generateKeyPair();
let a: PeerNode;
let b: PeerNode;
let c: PeerNode;

beforeAll(async () => {
  a = await startPeerNode('A', ['--data', tempDir(), '-t', '1', '--coinbase', owner.publicKey]);
  b = await startPeerNode('B', ['--data', tempDir(), '--no-mine', '--peer', a.p2pAddr]);
  c = await startPeerNode('C', ['--data', tempDir(), '--no-mine', '--peer', b.p2pAddr]);
});

afterAll(async () => {
  await stopAllPeerNodes();
  removeTempDirs();
});

describe('three nodes in a line, A – B – C', () => {
  it('C follows every block A mines, through B', async () => {
    const { height } = await waitForSameTip([a, b, c], networks.test.coinbaseMaturity + 3);
    const blocksOf = async (n: PeerNode) => (await n.get<{ blocks: { hash: string }[] }>(`/blocks?from=0&limit=100`)).blocks.map((x) => x.hash);
    const [fromA, fromC] = await Promise.all([blocksOf(a), blocksOf(c)]);
    expect(fromC.slice(0, height + 1)).toEqual(fromA.slice(0, height + 1));
    expect(await c.metric('carechain_blocks_accepted_total', { source: 'peer' })).toBeGreaterThanOrEqual(height);
    expect(await c.metric('carechain_blocks_mined_total')).toBe(0);

    const peersOfB = await b.get<{ id: string; peers: { id: string; direction: string; tipHeight: number | null }[] }>('/peers');
    expect(peersOfB.id).toBe(b.peerId);
    expect(peersOfB.peers.map((p) => [p.id, p.direction]).sort()).toEqual([[a.peerId, 'outbound'], [c.peerId, 'inbound']].sort());
    const status = await c.get('/status');
    expect(status).toMatchObject({ peers: 1, sync: { state: 'synced', bestHeaderHeight: expect.any(Number) } });
    expect(await c.metric('carechain_peers', { direction: 'outbound' })).toBe(1);
    expect(await b.metric('carechain_gossip_messages_total', { topic: 'block', result: 'accept' })).toBeGreaterThan(0);
    expect(await c.metric('carechain_p2p_bytes_total', { direction: 'in' })).toBeGreaterThan(0);
  });

  it('a transaction sent to C is mined by A, and C serves its receipt', async () => {
    const sequence = (await c.get<{ pendingSequence: number }>(`/accounts/${owner.publicKey}`)).pendingSequence;
    const tx = buildTransfer({ network: networks.test, privateKey: owner.privateKey, sequence, fee: 1000, recipient: friend.publicKey, amount: 4242 });
    const res = await c.post('/txs', { hex: txHex(tx) });
    expect(res.status).toBe(202);
    const { txid } = (await res.json()) as { txid: string };
    const minedAt = await waitFor('A mines it', async () => (await a.get<{ block: { height: number } | null }>(`/txs/${txid}`).catch(() => ({ block: null }))).block ?? undefined, 60_000, 250);
    await waitForSameTip([a, c], minedAt.height);
    const receipt = await c.get(`/txs/${txid}/receipt`);
    expect(receipt).toMatchObject({ txid, height: minedAt.height });
    expect(verifyReceipt(receipt)).toMatchObject({ valid: true });
    expect((await c.get(`/accounts/${friend.publicKey}`)).balance).toBe(4242);
  });
});
