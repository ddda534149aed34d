import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { blockHashHex, encodeBlock, type Block } from '../../src/chain/block.js';
import { mineMany, openChain, removeTempDirs } from '../chain/helpers.js';
import { buildChainFixture, copyDataDir } from './chain-fixture.js';
import { HostilePeer } from './hostile-peer.js';
import { waitFor } from './node-process.js';
import { startPeerNode, stopAllPeerNodes, waitForSameTip, type PeerNode } from './peer-nodes.js';

/**
 * The pending-block pool: a peer gossips two new blocks out of order, the child first. The node
 * holds the child (its parent is unknown), stores the parent when it comes, then the child from the
 * pool, and relays both — a follower behind it gets both by gossip.
 */
let node: PeerNode;
let follower: PeerNode;
let relay: HostilePeer;
let blocks: Block[];

beforeAll(async () => {
  const fixture = await buildChainFixture(12, 0);
  const scratch = await openChain({ dataDir: copyDataDir(fixture.dataDir), now: () => Math.floor(Date.now() / 1000) });
  blocks = await mineMany(scratch, 2);
  await scratch.close();
  node = await startPeerNode('node', ['--data', copyDataDir(fixture.dataDir), '--no-mine']);
  follower = await startPeerNode('follower', ['--data', copyDataDir(fixture.dataDir), '--no-mine', '--peer', node.p2pAddr]);
  relay = await HostilePeer.start();
  await relay.dial(node.p2pAddr);
  await waitFor('the relay admitted', async () => ((await node.get<{ peers: { id: string; tipHeight: number | null }[] }>('/peers')).peers.some((p) => p.id === relay.id && p.tipHeight !== null) ? true : undefined));
  await waitForSameTip([node, follower], fixture.height);
  await new Promise((r) => setTimeout(r, 1500)); // gossipsub exchanges subscriptions
}, 120_000);

afterAll(async () => {
  await relay?.stop();
  await stopAllPeerNodes();
  removeTempDirs();
});

describe('the pending-block pool', () => {
  it('holds a block whose parent is unknown, connects it when the parent arrives, and relays both', async () => {
    const [parent, child] = blocks as [Block, Block];
    const start = await node.height();
    await relay.publish('block', encodeBlock(child));
    await new Promise((r) => setTimeout(r, 300));
    expect(await node.height()).toBe(start); // held, not connected
    await relay.publish('block', encodeBlock(parent));
    const { tip, height } = await waitForSameTip([node, follower], start + 2, 20_000);
    expect([height, tip]).toEqual([start + 2, blockHashHex(child)]);
    expect(await node.metric('carechain_gossip_messages_total', { topic: 'block', result: 'accept' })).toBe(2);
    expect(await node.metric('carechain_gossip_messages_total', { topic: 'block', result: 'reject' })).toBe(0);
    expect(follower.log()).toContain(`p2p: block ${start + 2} ${blockHashHex(child)} from`);
    expect((await node.get<{ peers: { id: string; score: number }[] }>('/peers')).peers.find((p) => p.id === relay.id)?.score).toBe(0);
  });
});
