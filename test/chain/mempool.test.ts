import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Chain } from '../../src/chain/chain.js';
import { computeMerkleRoot } from '../../src/chain/block.js';
import { decodeHeader } from '../../src/chain/header.js';
import { fromHex, toHex } from '../../src/chain/hash.js';
import { COIN, subsidyAt } from '../../src/chain/network.js';
import { buildTransfer } from '../../src/chain/signing.js';
import { bitsToTarget, leBytesToBigInt } from '../../src/chain/target.js';
import { encodeTx, type CoinbaseTx } from '../../src/chain/tx.js';
import { fundedChain, keys, removeTempDirs, solveHeader, testNet } from './helpers.js';

const senders = [keys(), keys(), keys(), keys()];
const sink = keys().publicKey;
let chain: Chain;

// Every test fills a pool of its own: a fresh chain whose four senders hold a matured reward each.
beforeEach(async () => {
  chain = await fundedChain(senders, { mempool: { maxCount: 6, maxPerSender: 3 } });
});
afterEach(async () => {
  await chain.close();
});
afterAll(removeTempDirs);

function pay(from: (typeof senders)[number], fee: number, sequence = chain.account(from.publicKey).pendingSequence) {
  return buildTransfer({ network: testNet, privateKey: from.privateKey, sequence, fee, recipient: sink, amount: COIN });
}

/** Admit a transaction the test needs in the pool; anything else is a broken setup. */
function admit(tx: ReturnType<typeof pay>): string {
  const result = chain.acceptTransaction(tx);
  if (!result.accepted) throw new Error(`${result.reason}: ${result.message}`);
  return result.txid;
}

/** A full pool (6): a's chain of three at the lowest fee, then b's three paying more. */
function fillPool(): void {
  const [a, b] = senders;
  for (let i = 0; i < 3; i++) admit(pay(a!, 1000));
  for (const fee of [2000, 3000, 4000]) admit(pay(b!, fee));
}

describe('mempool policy', () => {
  it('chains a sender’s sequence numbers and caps how many it may have pending', () => {
    const [a] = senders;
    for (let i = 0; i < 3; i++) expect(chain.acceptTransaction(pay(a!, 1000))).toMatchObject({ accepted: true });
    expect(chain.account(a!.publicKey)).toMatchObject({ sequence: 0, pendingSequence: 3 });
    expect(chain.acceptTransaction(pay(a!, 1000))).toMatchObject({ accepted: false, reason: 'sender-limit' });
  });

  it('when full, evicts the cheapest sender chain for a better payer, reports it, and refuses one below the new minimum', () => {
    const [a, b, c] = senders;
    for (let i = 0; i < 3; i++) expect(chain.acceptTransaction(pay(a!, 1000))).toMatchObject({ accepted: true });
    // a's pending chain, by sequence.
    const aPending = chain.mempoolEntries().filter((e) => e.sender === a!.publicKey).sort((x, y) => x.tx.sequence - y.tx.sequence).map((e) => e.txid);
    expect(aPending).toHaveLength(3);
    expect(chain.acceptTransaction(pay(b!, 2000))).toMatchObject({ accepted: true });
    expect(chain.acceptTransaction(pay(b!, 3000))).toMatchObject({ accepted: true });
    expect(chain.acceptTransaction(pay(b!, 4000))).toMatchObject({ accepted: true });
    expect(chain.mempoolInfo().count).toBe(6);
    expect(chain.acceptTransaction(pay(c!, 500))).toMatchObject({ accepted: false, reason: 'mempool-full' });
    const evicted: { txid: string; lostTo: number }[] = [];
    chain.on('tx-evicted', (e) => evicted.push(e));
    const richTx = pay(c!, 50_000);
    expect(chain.acceptTransaction(richTx)).toMatchObject({ accepted: true });
    chain.removeAllListeners('tx-evicted');
    // a's three 1000-fee transactions are the cheapest; among equals the newest go first, so a's
    // chain loses its tail (sequences 2 and 1) and keeps its head: room for c plus a batch of headroom.
    expect(evicted.map((e) => e.txid).sort()).toEqual(aPending.slice(1).sort());
    expect(evicted.every((e) => e.lostTo === richTx.fee / encodeTx(richTx).length)).toBe(true);
    expect(chain.account(a!.publicKey).pendingSequence).toBe(1);
    expect(chain.mempoolInfo().count).toBe(5);
    // Anything below what was evicted (plus the increment) is now refused before its signature is checked.
    expect(chain.acceptTransaction(pay(a!, 1000))).toMatchObject({ accepted: false, reason: 'mempool-min-fee' });
    const byRate = chain.mempoolEntries().map((e) => e.feeRate);
    expect(byRate).toEqual([...byRate].sort((x, y) => y - x));
    expect(chain.mempoolInfo().bytes).toBe(chain.mempoolEntries().reduce((n, e) => n + e.size, 0));
  });
});

describe('block template', () => {
  it('takes the best fee rate first, keeps each sender in sequence order, and pays subsidy + fees', async () => {
    // The pool the eviction test leaves: c's rich transaction pushed out the tail of a's chain.
    fillPool();
    const [a, , c] = senders;
    admit(pay(c!, 50_000));
    expect(chain.account(a!.publicKey).pendingSequence).toBe(1);
    const template = chain.template(sink);
    const txs = template.fields.txs;
    expect(txs.length).toBe(chain.mempoolInfo().count);
    expect(txs[0]!.fee).toBe(50_000);
    for (const s of senders) {
      const seqs = txs.filter((t) => toHex(t.sender) === s.publicKey).map((t) => t.sequence);
      expect(seqs).toEqual([...seqs].sort((x, y) => x - y));
    }
    const fees = txs.reduce((n, t) => n + t.fee, 0);
    expect(template.fields.coinbaseValue).toBe(subsidyAt(testNet, chain.tip().height + 1) + fees);
    expect(template.height).toBe(chain.tip().height + 1);

    // MiningWork: each extranonce gives a new coinbase and Merkle root; nonce bytes left zero.
    const h0 = template.headerFor(0);
    const h1 = template.headerFor(1);
    expect(h0.length).toBe(80);
    expect(toHex(h0.subarray(76))).toBe('00000000');
    expect(toHex(h0.subarray(36, 68))).not.toBe(toHex(h1.subarray(36, 68)));
    const block = template.blockFor(1, 0);
    expect(decodeHeader(h1).merkleRoot).toEqual(computeMerkleRoot(block.txs));
    expect(leBytesToBigInt(template.target)).toBe(bitsToTarget(decodeHeader(h0).bits));
    expect(() => template.headerFor(2 ** 32)).toThrow(RangeError);

    // Stratum split rebuilds the same coinbase.
    const parts = template.stratum();
    const coinbase = parts.coinb1 + parts.extranonce1 + '01000000' + parts.coinb2;
    expect(coinbase).toBe(toHex(encodeTx(block.txs[0] as CoinbaseTx)));

    // The miner's solution is accepted and the mined transactions leave the pool.
    solveHeader(block.header);
    const result = await chain.submitBlock(template.blockFor(1, block.header.nonce), 'api');
    expect(result).toMatchObject({ status: 'accepted', outcome: 'new-tip' });
    expect(chain.mempoolInfo()).toEqual({ count: 0, bytes: 0 });
    expect(fromHex(parts.extranonce1)).toEqual(Uint8Array.from([7, 0, 0, 0]));
  });
});
