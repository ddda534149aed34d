import { afterAll, describe, expect, it } from 'vitest';
import type { Chain } from '../../src/chain/chain.js';
import type { Block } from '../../src/chain/block.js';
import { COIN, defineNetwork } from '../../src/chain/network.js';
import { buildTransfer } from '../../src/chain/signing.js';
import { blockHashHex } from '../../src/chain/block.js';
import { txidHex } from '../../src/chain/tx.js';
import { burnKey, draft, keys, mineMany, mineNext, openChain, removeTempDirs, seal, tempDir, testNet } from './helpers.js';

afterAll(removeTempDirs);

async function submitAll(chain: Chain, blocks: Block[]) {
  const results = [];
  for (const b of blocks) results.push(await chain.submitBlock(b, 'api'));
  return results;
}

/** What two chains must agree on when they hold the same main chain. */
function snapshot(chain: Chain, accounts: string[]) {
  return {
    tip: chain.tip(),
    accounts: accounts.map((k) => ({ balance: chain.account(k).balance, sequence: chain.account(k).sequence })),
    blocks: Array.from({ length: chain.tip().height + 1 }, (_, h) => chain.blockByHeight(h)!.hash),
  };
}

describe('fork choice', () => {
  it('keeps the first-seen tip at equal work, switches when a branch gets longer', async () => {
    const a = await openChain();
    const b = await openChain();
    const branchA = await mineMany(a, 3, { recipient: keys().publicKey });
    const branchB = await mineMany(b, 4, { recipient: keys().publicKey, spacing: 2 });
    const tips: Array<{ reorgDepth: number; height: number }> = [];
    a.on('tip', (e) => tips.push({ reorgDepth: e.reorgDepth, height: e.height }));
    const results = await submitAll(a, branchB);
    expect(results.map((r) => (r.status === 'accepted' ? r.outcome : r.status))).toEqual(['side-branch', 'side-branch', 'side-branch', 'reorg']);
    expect(results[3]).toMatchObject({ reorgDepth: 3, height: 4 });
    expect(tips).toEqual([{ reorgDepth: 3, height: 4 }]);
    expect(a.tip().hash).toBe(blockHashHex(branchB[3]!));
    // The losing branch is still known, off the main chain.
    expect(a.blockByHash(blockHashHex(branchA[2]!))).toMatchObject({ mainChain: false, confirmations: 0 });
    await a.close();
    await b.close();
  });

  it('switches to a branch of the same length with more work', async () => {
    // Spacing 10 s: a branch mined at 5 s intervals retargets to a harder target, so it carries more work per block.
    const net = defineNetwork({
      name: 'work', powLimitBits: 0x1f0fffff, targetSpacing: 10, retargetWindow: 5, maxBlockBytes: 100_000,
      maxFutureSeconds: 7200, initialSubsidy: COIN, halvingInterval: 1000, coinbaseMaturity: 5, genesisTime: testNet.genesis.header.time,
    });
    const a = await openChain({ network: net });
    const b = await openChain({ network: net });
    await mineMany(a, 3, { spacing: 10 });
    const harder = await mineMany(b, 3, { spacing: 5 });
    expect(b.tip().totalWork > a.tip().totalWork).toBe(true);
    const results = await submitAll(a, harder);
    expect(results.at(-1)).toMatchObject({ status: 'accepted', outcome: 'reorg', reorgDepth: 3 });
    expect(a.tip().hash).toBe(b.tip().hash);
    await a.close();
    await b.close();
  });
});

describe('a 10-block reorg', () => {
  it('rolls state back and forward, returns transactions to the mempool, and equals a fresh replay', async () => {
    const alice = keys();
    const bob = keys();
    const dirA = tempDir();
    const a = await openChain({ dataDir: dirA });
    const b = await openChain();
    const shared = await mineMany(a, 2, { recipient: alice.publicKey });
    shared.push(...(await mineMany(a, testNet.coinbaseMaturity))); // alice's rewards mature
    await submitAll(b, shared);

    // Branch A: 10 blocks; the third carries alice → bob.
    const pay = buildTransfer({ network: testNet, privateKey: alice.privateKey, sequence: 0, fee: 500, recipient: bob.publicKey, amount: 3 * COIN });
    await mineMany(a, 2);
    expect(a.acceptTransaction(pay)).toMatchObject({ accepted: true });
    await mineMany(a, 8);
    expect(a.transaction(txidHex(pay))).toMatchObject({ status: 'mined', height: 10, confirmations: 8 });
    expect(a.account(bob.publicKey).balance).toBe(3 * COIN);

    // Branch B: 11 blocks without the payment.
    const branchB = await mineMany(b, 11, { spacing: 2 });
    const results = await submitAll(a, branchB);
    expect(results.at(-1)).toMatchObject({ status: 'accepted', outcome: 'reorg', reorgDepth: 10, height: 18 });

    expect(a.account(bob.publicKey).balance).toBe(0);
    expect(a.transaction(txidHex(pay))).toMatchObject({ status: 'pending' });
    expect(a.mempoolInfo().count).toBe(1);
    expect(snapshot(a, [alice.publicKey, bob.publicKey, burnKey])).toEqual(snapshot(b, [alice.publicKey, bob.publicKey, burnKey]));

    // The returned payment is mined again on the new branch.
    const remined = await mineNext(a);
    expect(remined.txs).toHaveLength(2);
    expect(a.account(bob.publicKey).balance).toBe(3 * COIN);

    // A restart replays both branches from the log and lands on the same state.
    const expected = snapshot(a, [alice.publicKey, bob.publicKey, burnKey]);
    await a.close();
    const reopened = await openChain({ dataDir: dirA });
    expect(snapshot(reopened, [alice.publicKey, bob.publicKey, burnKey])).toEqual(expected);
    await reopened.close();
    await b.close();
  });

  it('rebuilds state from genesis when a reorg is deeper than the undo window', async () => {
    const alice = keys();
    const a = await openChain({ undoWindow: 3 });
    const b = await openChain();
    await mineMany(a, 6, { recipient: alice.publicKey });
    await mineMany(b, 7);
    const results = await submitAll(a, await allBlocks(b));
    expect(results.at(-1)).toMatchObject({ outcome: 'reorg', reorgDepth: 6 });
    expect(a.account(alice.publicKey).balance).toBe(0);
    expect(snapshot(a, [alice.publicKey, burnKey])).toEqual(snapshot(b, [alice.publicKey, burnKey]));
    await a.close();
    await b.close();
  });
});

describe('a reorg deeper than the body cache', () => {
  it('reads evicted bodies back from the log and keeps the unwritten new block through the dry run', async () => {
    const alice = keys();
    const dirA = tempDir();
    const a = await openChain({ dataDir: dirA, bodyCache: 2 });
    const b = await openChain();
    await mineMany(a, 6, { recipient: alice.publicKey });
    await mineMany(b, 7);
    const results = await submitAll(a, await allBlocks(b));
    expect(results.at(-1)).toMatchObject({ status: 'accepted', outcome: 'reorg', reorgDepth: 6, height: 7 });
    expect(snapshot(a, [alice.publicKey, burnKey])).toEqual(snapshot(b, [alice.publicKey, burnKey]));
    // Both branches' blocks stay readable, from memory or from the log.
    expect(a.blockByHeight(7)!.block.header).toEqual(b.blockByHeight(7)!.block.header);
    await a.close();
    const reopened = await openChain({ dataDir: dirA, bodyCache: 2 });
    expect(snapshot(reopened, [alice.publicKey, burnKey])).toEqual(snapshot(b, [alice.publicKey, burnKey]));
    await reopened.close();
    await b.close();
  });
});

describe('invalid branches', () => {
  it('rejects a branch whose block breaks a state rule when it would win, and its children after', async () => {
    const alice = keys();
    const a = await openChain();
    await mineNext(a, { recipient: alice.publicKey });
    const forkPoint = a.tip();
    await mineNext(a);
    // A side block at height 2 that spends more than alice has: stored (no state check yet) as a side branch.
    const b = await openChain();
    await submitAll(b, [a.blockByHeight(1)!.block]);
    const bad = draft(b, { time: forkPoint.header.time + 3 });
    bad.txs.push(buildTransfer({ network: testNet, privateKey: alice.privateKey, sequence: 0, fee: 1, recipient: burnKey, amount: 500 * COIN }));
    seal(bad);
    expect(await a.submitBlock(bad, 'api')).toMatchObject({ status: 'accepted', outcome: 'side-branch' });
    // A child would make that branch the heaviest: connecting it fails and the old tip stays.
    const tipBefore = a.tip().hash;
    const child = seal({ header: { ...bad.header, prevHash: hashOf(bad), time: bad.header.time + 1, nonce: 0 }, txs: [{ kind: 'coinbase', height: 3, recipient: new Uint8Array(32), extranonce1: 0, extranonce2: 0, value: 0 }] });
    expect(await a.submitBlock(child, 'api')).toMatchObject({ status: 'rejected', reason: 'insufficient-funds' });
    expect(a.tip().hash).toBe(tipBefore);
    // Its own child (a grandchild of the bad block) is refused at once: the chain remembers the failed block.
    const grandchild = seal({ header: { ...bad.header, prevHash: hashOf(child), time: bad.header.time + 2, nonce: 0 }, txs: [{ kind: 'coinbase', height: 4, recipient: new Uint8Array(32), extranonce1: 1, extranonce2: 0, value: 0 }] });
    expect(await a.submitBlock(grandchild, 'api')).toMatchObject({ status: 'rejected', reason: 'prev-blk-invalid' });
    // A sibling of the failed child on the bad block is refused too: the bad block itself is invalid now.
    const sibling = seal({ header: { ...bad.header, prevHash: hashOf(bad), time: bad.header.time + 2, nonce: 0 }, txs: [{ kind: 'coinbase', height: 3, recipient: new Uint8Array(32), extranonce1: 2, extranonce2: 0, value: 0 }] });
    expect(await a.submitBlock(sibling, 'api')).toMatchObject({ status: 'rejected', reason: 'prev-blk-invalid' });
    await a.close();
    await b.close();
  });
});

async function allBlocks(chain: Chain): Promise<Block[]> {
  return Array.from({ length: chain.tip().height }, (_, i) => chain.blockByHeight(i + 1)!.block);
}

function hashOf(block: Block): Uint8Array {
  return Uint8Array.from(Buffer.from(blockHashHex(block), 'hex').reverse());
}

