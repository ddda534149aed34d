import { afterEach, describe, expect, it } from 'vitest';
import type { Block } from '../../src/chain/block.js';
import type { Chain } from '../../src/chain/chain.js';
import { penaltyOf, type RejectReason } from '../../src/chain/errors.js';
import { headerHash } from '../../src/chain/header.js';
import { toDisplayHex } from '../../src/chain/hash.js';
import { bitsToTarget, hashMeetsTarget } from '../../src/chain/target.js';
import { draft, openChain, removeTempDirs, seal } from './helpers.js';

// submitBlock is the one door for blocks: typed sources, one event once on disk, a bounded queue,
// one validation per block however often it is announced, and failed blocks remembered.

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

const hashOf = (b: Block) => toDisplayHex(headerHash(b.header));

/** A block on `chain`'s tip whose hash misses its target (a fatal proof-of-work failure). */
function highHash(chain: Chain): Block {
  const block = seal(draft(chain));
  const target = bitsToTarget(block.header.bits);
  do block.header.nonce++;
  while (hashMeetsTarget(headerHash(block.header), target));
  return block;
}

describe('submitBlock', () => {
  it("emits one 'block' event with its source, only once the block is in the log", async () => {
    const chain = await chainFor();
    const seen: { source: string; outcome: string; bytesAtEvent: number }[] = [];
    const before = chain.storeBytes;
    chain.on('block', (e) => seen.push({ source: e.source, outcome: e.outcome, bytesAtEvent: chain.storeBytes }));
    const block = seal(draft(chain));
    expect(await chain.submitBlock(block, 'peer')).toMatchObject({ status: 'accepted', outcome: 'new-tip' });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ source: 'peer', outcome: 'new-tip' });
    expect(seen[0]!.bytesAtEvent).toBeGreaterThan(before);
  });

  it('validates a block announced twice once: the second submission waits for the first, and has() sees it queued', async () => {
    const chain = await chainFor();
    const block = seal(draft(chain));
    let events = 0;
    chain.on('block', () => events++);
    const first = chain.submitBlock(block, 'peer');
    expect(chain.has(hashOf(block))).toBe(true);
    const second = chain.submitBlock(block, 'peer');
    expect(second).toBe(first);
    await first;
    expect(events).toBe(1);
    expect(await chain.submitBlock(block, 'peer')).toEqual({ status: 'duplicate', hash: hashOf(block) });
  });

  it('answers busy to peers when the queue is full, but never to its own miners', async () => {
    const chain = await chainFor({ submitQueue: 2 });
    const siblings = [0, 1, 2, 3].map((i) => {
      const b = draft(chain);
      b.header.time += i; // distinct headers on the same parent
      return seal(b);
    });
    const results = await Promise.all(siblings.slice(0, 3).map((b) => chain.submitBlock(b, 'peer')));
    expect(results.map((r) => r.status)).toEqual(['accepted', 'accepted', 'busy']);
    // The queue is full again, but a block the node's miner found must not be dropped.
    const peerBlocks = [mineAt(chain, 10), mineAt(chain, 11)].map((b) => chain.submitBlock(b, 'peer'));
    const own = chain.submitBlock(siblings[3]!, 'miner');
    expect((await own).status).not.toBe('busy');
    await Promise.all(peerBlocks);
  });

  it('remembers a block that failed on its header and refuses it, and its descendants, at once', async () => {
    const chain = await chainFor();
    const bad = highHash(chain);
    const first = await chain.submitBlock(bad, 'peer');
    expect(first).toMatchObject({ status: 'rejected', reason: 'high-hash', penalty: 'fatal' });
    expect(chain.knownInvalid(hashOf(bad))).toBe('high-hash');
    let rejections = 0;
    chain.on('block-rejected', () => rejections++);
    expect(await chain.submitBlock(bad, 'peer')).toMatchObject({ status: 'rejected', reason: 'high-hash' });
    const child = seal({ header: { ...bad.header, prevHash: headerHash(bad.header), time: bad.header.time + 1, nonce: 0 }, txs: bad.txs });
    expect(await chain.submitBlock(child, 'peer')).toMatchObject({ status: 'rejected', reason: 'prev-blk-invalid', penalty: 'fatal' });
    expect(rejections).toBe(2);
  });

  it('does not remember a block whose body was mutated: the same header with its own body is accepted after', async () => {
    const chain = await chainFor();
    const good = seal(draft(chain));
    const mutated: Block = { header: good.header, txs: [...good.txs, good.txs[0]!] }; // a body its header does not commit to
    expect(await chain.submitBlock(mutated, 'peer')).toMatchObject({ status: 'rejected', penalty: 'low' });
    expect(chain.knownInvalid(hashOf(good))).toBeUndefined();
    expect(await chain.submitBlock(good, 'peer')).toMatchObject({ status: 'accepted', outcome: 'new-tip' });
  });

  it('does not remember a block that is merely early: an unknown parent or a clock behind', async () => {
    const chain = await chainFor();
    const orphan = draft(chain);
    orphan.header.prevHash = new Uint8Array(32).fill(9);
    const result = await chain.submitBlock(seal(orphan), 'peer');
    expect(result).toMatchObject({ status: 'rejected', reason: 'prev-blk-not-found', penalty: 'none' });
    expect(chain.knownInvalid(hashOf(orphan))).toBeUndefined();
  });
});

describe('penalty classes', () => {
  it('are fatal for what no honest node relays, low for malformed bytes, none for the merely unwanted', () => {
    const block: [RejectReason, string][] = [
      ['high-hash', 'fatal'],
      ['bad-diffbits', 'fatal'],
      ['bad-header-chain', 'fatal'],
      ['insufficient-funds', 'fatal'], // inside a block whose header commits to it
      ['malformed', 'low'],
      ['bad-merkle-root', 'low'],
      ['duplicate', 'none'],
      ['prev-blk-not-found', 'none'],
      ['time-too-new', 'none'],
    ];
    for (const [reason, penalty] of block) expect([reason, penaltyOf(reason, 'block')]).toEqual([reason, penalty]);
    const tx: [RejectReason, string][] = [
      ['bad-signature', 'fatal'],
      ['malformed-tx', 'low'],
      ['insufficient-funds', 'none'], // a lone transaction may simply be early
      ['bad-sequence', 'none'],
      ['fee-rate-too-low', 'none'],
      ['already-in-mempool', 'none'],
    ];
    for (const [reason, penalty] of tx) expect([reason, penaltyOf(reason, 'tx')]).toEqual([reason, penalty]);
  });
});

/** A block on the current tip at tip time + `dt`, sealed, not submitted. */
function mineAt(chain: Chain, dt: number): Block {
  return seal(draft(chain, { time: chain.tip().header.time + dt }));
}

describe('closing', () => {
  it('is safe twice: the second close waits for the first and does not throw', async () => {
    const chain = await openChain();
    const block = seal(draft(chain));
    const stored = chain.submitBlock(block, 'peer');
    await Promise.all([chain.close(), chain.close()]);
    expect(await stored).toMatchObject({ status: 'accepted' });
    await expect(chain.close()).resolves.toBeUndefined();
  });
});
