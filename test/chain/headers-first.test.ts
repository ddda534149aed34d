import { afterEach, describe, expect, it } from 'vitest';
import type { Block } from '../../src/chain/block.js';
import { MAX_HEADERS, type Chain } from '../../src/chain/chain.js';
import { headerHash, type BlockHeader } from '../../src/chain/header.js';
import { toDisplayHex } from '../../src/chain/hash.js';
import { bitsToTarget, hashMeetsTarget } from '../../src/chain/target.js';
import { buildTransfer } from '../../src/chain/signing.js';
import { keys, mineMany, mineNext, NOW, openChain, removeTempDirs, solveHeader, testNet } from './helpers.js';

// The sync primitives: Bitcoin's locator, getheaders answers, header chains accepted before their
// bodies (work counted on headers), and bodies connected as they arrive, in order.

const opened: Chain[] = [];
async function chainFor(options: Parameters<typeof openChain>[0] = {}): Promise<Chain> {
  const chain = await openChain(options);
  opened.push(chain);
  return chain;
}
afterEach(async () => {
  for (const c of opened.splice(0)) await c.close();
  removeTempDirs();
});

const blocksOf = (chain: Chain, from = 1): Block[] => Array.from({ length: chain.tip().height - from + 1 }, (_, i) => chain.blockByHeight(from + i)!.block);
const hashOf = (h: BlockHeader) => toDisplayHex(headerHash(h));

describe('locator', () => {
  it("is the tip's last 10 blocks, then exponentially sparser, genesis last", async () => {
    const chain = await chainFor();
    await mineMany(chain, 100);
    const heights = chain.locator().map((hash) => chain.header(hash)!.height);
    expect(heights).toEqual([100, 99, 98, 97, 96, 95, 94, 93, 92, 91, 89, 85, 77, 61, 29, 0]);
    const fresh = await chainFor();
    expect(fresh.locator()).toEqual([testNet.genesisHash]);
  });
});

describe('headersAfter', () => {
  it('answers from the newest locator hash on the main chain, up to the stop hash, at most 2000', async () => {
    const a = await chainFor();
    await mineMany(a, 30);
    const b = await chainFor();
    for (const block of blocksOf(a, 1).slice(0, 12)) await b.submitBlock(block, 'peer');
    const after = a.headersAfter(b.locator());
    expect(after.map(hashOf)).toEqual(blocksOf(a, 13).map((x) => hashOf(x.header)));
    const stop = a.blockByHeight(20)!.hash;
    expect(a.headersAfter(b.locator(), stop).map((h) => a.header(hashOf(h))!.height)).toEqual([13, 14, 15, 16, 17, 18, 19, 20]);
    expect(a.headersAfter(b.locator(), undefined, 5)).toHaveLength(5);
    expect(a.headersAfter(['ff'.repeat(32)])).toHaveLength(30); // nothing shared: from genesis
    expect(a.headersAfter([], undefined, 10_000).length).toBeLessThanOrEqual(MAX_HEADERS);
  });

  it('serves a peer on a side branch the headers after the fork', async () => {
    const a = await chainFor();
    const shared = await mineMany(a, 5);
    const b = await chainFor();
    for (const block of shared) await b.submitBlock(block, 'peer');
    await mineMany(b, 3, { spacing: 3 }); // b's own branch from height 5
    await mineMany(a, 4);
    expect(a.headersAfter(b.locator()).map((h) => a.header(hashOf(h))!.height)).toEqual([6, 7, 8, 9]);
  });
});

describe('headers-first', () => {
  it('knows the best chain from headers alone, then connects bodies in order as they arrive', async () => {
    const alice = keys();
    const a = await chainFor();
    await mineNext(a, { recipient: alice.publicKey });
    await mineMany(a, testNet.coinbaseMaturity);
    a.acceptTransaction(buildTransfer({ network: testNet, privateKey: alice.privateKey, sequence: 0, fee: 100, recipient: keys().publicKey, amount: 5 }));
    await mineMany(a, 20);

    const b = await chainFor();
    const result = await b.submitHeaders(a.headersAfter(b.locator()), 'peer');
    expect(result).toMatchObject({ status: 'accepted', added: a.tip().height, best: { hash: a.tip().hash, height: a.tip().height, totalWork: a.tip().totalWork } });
    expect(b.tip().height).toBe(0);
    expect(b.missingBodies(1000).map((m) => m.height)).toEqual(Array.from({ length: a.tip().height }, (_, i) => i + 1));
    expect(b.has(a.tip().hash)).toBe(false); // a header is not a block
    // Headers again: nothing new.
    expect(await b.submitHeaders(a.headersAfter([testNet.genesisHash]), 'peer')).toMatchObject({ status: 'accepted', added: 0 });

    const bodies = blocksOf(a);
    // A body whose parent's body has not arrived waits outside the chain (the fetcher keeps it).
    expect(await b.submitBlock(bodies[1]!, 'peer')).toMatchObject({ status: 'rejected', reason: 'prev-blk-not-found', penalty: 'none' });
    for (const block of bodies) expect(await b.submitBlock(block, 'peer')).toMatchObject({ status: 'accepted', outcome: 'new-tip' });
    expect(b.tip().hash).toBe(a.tip().hash);
    expect(b.missingBodies(10)).toEqual([]);
    expect(b.account(alice.publicKey)).toEqual(a.account(alice.publicKey));
  });

  it('refuses a header run that does not link, misses its target, breaks the retarget rule or runs ahead of the clock', async () => {
    const a = await chainFor();
    await mineMany(a, 6);
    const headers = a.headersAfter([testNet.genesisHash]);
    const b = await chainFor();

    const gap = [headers[0]!, headers[2]!];
    expect(await b.submitHeaders(gap, 'peer')).toMatchObject({ status: 'rejected', index: 1, reason: 'bad-header-chain', penalty: 'fatal', added: 1 });

    const missed = { ...headers[1]!, nonce: headers[1]!.nonce };
    const target = bitsToTarget(missed.bits);
    do missed.nonce++;
    while (hashMeetsTarget(headerHash(missed), target));
    expect(await b.submitHeaders([missed], 'peer')).toMatchObject({ status: 'rejected', reason: 'high-hash', penalty: 'fatal' });

    const wrongBits = solveHeader({ ...headers[1]!, bits: 0x1f07ffff });
    expect(await b.submitHeaders([wrongBits], 'peer')).toMatchObject({ status: 'rejected', reason: 'bad-diffbits', penalty: 'fatal' });

    const ahead = solveHeader({ ...headers[1]!, time: NOW + testNet.maxFutureSeconds + 60 });
    expect(await b.submitHeaders([ahead], 'peer')).toMatchObject({ status: 'rejected', reason: 'time-too-new', penalty: 'none' });
    // Only the one good header stuck.
    expect(b.bestHeader().height).toBe(1);
  });

  it('counts work on headers: a heavier header branch is the best known before any of its bodies', async () => {
    const a = await chainFor();
    const shared = await mineMany(a, 3);
    const b = await chainFor();
    for (const block of shared) await b.submitBlock(block, 'peer');
    await mineMany(b, 2, { spacing: 3 }); // b's own tip: height 5
    await mineMany(a, 5); // a: height 8, more work
    await b.submitHeaders(a.headersAfter(b.locator()), 'peer');
    expect(b.tip().height).toBe(5);
    expect(b.bestHeader()).toMatchObject({ hash: a.tip().hash, height: 8 });
    expect(b.missingBodies(10).map((m) => m.height)).toEqual([4, 5, 6, 7, 8]);
    for (const block of blocksOf(a, 4)) await b.submitBlock(block, 'peer');
    expect(b.tip().hash).toBe(a.tip().hash); // the reorg came through the same door
  });
});
