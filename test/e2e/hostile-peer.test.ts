import { randomBytes } from 'node:crypto';
import { createServer } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { decodeBlock, encodeBlock } from '../../src/chain/block.js';
import { headerHash } from '../../src/chain/header.js';
import { bitsToTarget, hashMeetsTarget } from '../../src/chain/target.js';
import { MAX_BLOCKS_PER_REQUEST } from '../../src/net/limits.js';
import { generateKeyPair } from '../../src/chain/keys.js';
import { buildTransfer } from '../../src/chain/signing.js';
import { encodeTx } from '../../src/chain/tx.js';
import { encodeHashList, encodeStatus, encodeTxBatch } from '../../src/net/wire.js';
import { removeTempDirs, tempDir, testNet } from '../chain/helpers.js';
import { HostilePeer } from './hostile-peer.js';
import { waitFor } from './node-process.js';
import { startPeerNode, stopAllPeerNodes, waitForSameTip, type PeerNode } from './peer-nodes.js';

/**
 * A hostile peer speaks the protocols with a libp2p node of its own: it floods requests, gossips
 * junk and oversize messages, then a block with bad proof of work. The node answers each with a
 * penalty, disconnects it, bans it (and keeps the ban across a restart), while it keeps mining and
 * an honest follower stays in step.
 */
const dataDir = tempDir();
let p2pPort: number;
let node: PeerNode;
let honest: PeerNode;
const hostiles: HostilePeer[] = [];

const status = encodeStatus({ genesisHash: testNet.genesisHash, tipHash: testNet.genesisHash, height: 0, totalWork: 1n });

async function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const server = createServer().listen(0, '127.0.0.1', () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

async function startTarget(): Promise<PeerNode> {
  return startPeerNode('target', ['--data', dataDir, '-t', '1', '--p2p-port', String(p2pPort)]);
}

/** A new hostile identity, connected and admitted (and known to the node's gossipsub). */
async function connectHostile(existing?: HostilePeer): Promise<HostilePeer> {
  const hostile = existing ?? (await HostilePeer.start());
  if (!existing) hostiles.push(hostile);
  await hostile.dial(node.p2pAddr);
  await waitFor('the hostile peer admitted', async () => ((await node.get<{ peers: { id: string; tipHeight: number | null }[] }>('/peers')).peers.find((p) => p.id === hostile.id && p.tipHeight !== null) ? true : undefined));
  await new Promise((r) => setTimeout(r, 1500)); // gossipsub exchanges subscriptions
  return hostile;
}

const gone = (hostile: HostilePeer) => async () =>
  hostile.connectedTo(node.peerId) || (await node.get<{ peers: { id: string }[] }>('/peers')).peers.some((p) => p.id === hostile.id) ? undefined : true;
const bannedAs = (hostile: HostilePeer) => async () => (await node.get<{ banned: { id: string; reason: string }[] }>('/peers')).banned.find((b) => b.id === hostile.id);
const counted = (name: string, labels: Record<string, string>, above: number) => async () => ((await node.metric(name, labels)) > above ? true : undefined);

beforeAll(async () => {
  p2pPort = await freePort();
  node = await startTarget();
  honest = await startPeerNode('honest', ['--data', tempDir(), '--no-mine', '--peer', node.p2pAddr]);
});

afterAll(async () => {
  await Promise.all(hostiles.map((h) => h.stop()));
  await stopAllPeerNodes();
  removeTempDirs();
});

describe('a hostile peer', () => {
  it('flooding requests is refused beyond its quota, disconnected, and banned when it floods harder', async () => {
    const flooder = await connectHostile();
    const answers: (number | 'closed')[] = [];
    for (let i = 0; i < 12; i++) answers.push(await flooder.request(node.peerId, 'status', status));
    expect(answers.slice(0, 5)).toEqual([0, 0, 0, 0, 0]); // within the quota of 5 per 15 s
    expect(answers).toContain(3); // rate limited
    await waitFor('the flooder disconnected', gone(flooder));
    expect(node.log()).toMatch(/disconnecting \S+: score -\d+ \(rate-limit\)/);
    expect((await bannedAs(flooder)()) ?? null).toBeNull();

    // Back at once, flooding again: its budget did not refill with the new connection.
    for (let round = 0; round < 8 && !(await bannedAs(flooder)()); round++) {
      await flooder.dial(node.p2pAddr).catch(() => undefined);
      await Promise.all(Array.from({ length: 6 }, () => flooder.request(node.peerId, 'status', status)));
    }
    const burst = flooder;
    expect(await waitFor('the burst banned', bannedAs(burst))).toMatchObject({ reason: 'rate-limit' });
    expect(await node.metric('carechain_peer_bans_total', { reason: 'rate-limit' })).toBe(1);
    expect(await node.metric('carechain_reqresp_requests_total', { role: 'server', result: 'rate-limited' })).toBeGreaterThanOrEqual(10);
    await waitFor('the banned flooder gone', gone(burst));
  });

  it('gossiping junk and oversize messages is rejected and costs it the connection', async () => {
    const junk = await connectHostile();
    const blockRejects = await node.metric('carechain_gossip_messages_total', { topic: 'block', result: 'reject' });
    await junk.publish('block', randomBytes(300));
    await waitFor('the junk block rejected', counted('carechain_gossip_messages_total', { topic: 'block', result: 'reject' }, blockRejects), 10_000);
    await junk.publish('tx', randomBytes(100 * 1024)); // far over the 64 KiB cap for a batch of transactions
    await waitFor('the oversize tx rejected', counted('carechain_gossip_messages_total', { topic: 'tx', result: 'reject' }, 0), 10_000);
    await waitFor('the junk peer disconnected', gone(junk));
  });

  it('a gossiped batch is judged by each transaction in it: unfunded ones are ignored, one forged signature gets the sender banned', async () => {
    const forger = await connectHostile();
    const key = generateKeyPair();
    const transfer = (sequence: number) => buildTransfer({ network: testNet, privateKey: key.privateKey, sequence, fee: 1000, recipient: generateKeyPair().publicKey, amount: 1 });
    const ignored = await node.metric('carechain_gossip_messages_total', { topic: 'tx', result: 'ignore' });
    await forger.publish('tx', encodeTxBatch([encodeTx(transfer(0)), encodeTx(transfer(1))])); // well signed, but the sender has no funds
    await waitFor('the unfunded batch ignored', counted('carechain_gossip_messages_total', { topic: 'tx', result: 'ignore' }, ignored), 10_000);
    expect(await node.metric('carechain_gossip_transactions_total', { status: 'rejected' })).toBeGreaterThanOrEqual(2);
    expect(forger.connectedTo(node.peerId)).toBe(true); // no blame for what may apply later

    const forged = transfer(2);
    forged.signature = new Uint8Array(forged.signature).fill(0x5a, 0, 8);
    await forger.publish('tx', encodeTxBatch([encodeTx(transfer(3)), encodeTx(forged)]));
    expect(await waitFor('the forger banned', bannedAs(forger), 10_000)).toMatchObject({ reason: 'invalid-tx' });
    await waitFor('the forger gone', gone(forger));
  });

  it('malformed and oversize requests are refused and cost it the connection', async () => {
    const sloppy = await connectHostile();
    const tooMany = Uint8Array.of(MAX_BLOCKS_PER_REQUEST + 1, ...new Uint8Array(32 * (MAX_BLOCKS_PER_REQUEST + 1)));
    expect(await sloppy.request(node.peerId, 'blocks', new Uint8Array(64 * 1024))).toBe('closed'); // over the request cap: not even read
    expect(await sloppy.request(node.peerId, 'blocks', tooMany)).toBe(1); // invalid request
    expect(await sloppy.request(node.peerId, 'headers', Uint8Array.of(0))).toBe(1);
    await waitFor('the sloppy peer disconnected', gone(sloppy));
    expect((await bannedAs(sloppy)()) ?? null).toBeNull(); // sloppy, not hostile: not banned
  });

  it('a block with bad proof of work gets it banned; it cannot come back, even after a restart', async () => {
    const forger = await connectHostile();
    const raw = new Uint8Array(await (await fetch(`${node.url}/blocks/${await node.height()}/raw`)).arrayBuffer());
    const block = decodeBlock(raw);
    const target = bitsToTarget(block.header.bits);
    do block.header.nonce = (block.header.nonce + 1) >>> 0;
    while (hashMeetsTarget(headerHash(block.header), target));
    await forger.publish('block', encodeBlock(block));

    expect(await waitFor('the ban', bannedAs(forger), 10_000)).toMatchObject({ reason: 'invalid-block' });
    expect(await node.metric('carechain_peer_bans_total', { reason: 'invalid-block' })).toBe(1);
    await waitFor('the banned peer gone', gone(forger));
    await forger.dial(node.p2pAddr).catch(() => undefined); // the node's gater refuses the connection
    await waitFor('still refused', gone(forger));

    const heightBefore = await node.height();
    await node.stop();
    node = await startTarget();
    expect((await node.get<{ banned: { id: string }[] }>('/peers')).banned.map((b) => b.id)).toEqual(expect.arrayContaining([forger.id, hostiles[0]!.id]));
    await forger.dial(node.p2pAddr).catch(() => undefined);
    expect(await forger.request(node.peerId, 'headers', encodeHashList([testNet.genesisHash]))).toBe('closed');
    await waitFor('refused after the restart', gone(forger));
    await waitFor('mining on after the restart', async () => ((await node.height()) > heightBefore ? true : undefined), 30_000);
  });

  it('never stopped the node mining or the honest peer following it', async () => {
    // The honest peer redials the restarted node by itself, and follows its new blocks.
    await waitFor('the honest peer back', async () => ((await honest.get<{ peers: { id: string }[] }>('/peers')).peers.some((p) => p.id === node.peerId) ? true : undefined), 30_000);
    const from = await node.height();
    const { height } = await waitForSameTip([node, honest], from + 1, 40_000);
    expect(height).toBeGreaterThan(from);
    expect((await honest.get<{ peers: { id: string; score: number }[] }>('/peers')).peers).toMatchObject([{ id: node.peerId, score: expect.any(Number) }]);
    expect(await node.metric('carechain_blocks_mined_total')).toBeGreaterThan(0);
  });
});
