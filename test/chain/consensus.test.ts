import { afterAll, afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Chain } from '../../src/chain/chain.js';
import { encodeBlock } from '../../src/chain/block.js';
import { fromHex, toDisplayHex } from '../../src/chain/hash.js';
import { headerHash } from '../../src/chain/header.js';
import { COIN, defineNetwork, networks, subsidyAt } from '../../src/chain/network.js';
import { buildRecord, buildTransfer, commitmentOf } from '../../src/chain/signing.js';
import { bitsToTarget, hashMeetsTarget, targetToBits } from '../../src/chain/target.js';
import type { CoinbaseTx, TransferTx } from '../../src/chain/tx.js';
import { burnKey, draft, keys, mineMany, mineNext, NOW, openChain, removeTempDirs, seal, solveHeader, testNet } from './helpers.js';

// Each consensus rule: the valid side accepted, the broken side rejected with its reason. Every test
// gets a chain of its own (accepted blocks and spent coins would otherwise change the next test's).
let chain: Chain;
const alice = keys();
const bob = keys();

beforeEach(async () => {
  chain = await openChain();
  await mineNext(chain, { recipient: alice.publicKey }); // alice: 50 coins at height 1
  await mineMany(chain, 11); // enough history for median-time-past
});
afterEach(async () => {
  await chain.close();
});
afterAll(removeTempDirs);

function transfer(sequence: number, amount = COIN, fee = 1000, network = testNet): TransferTx {
  return buildTransfer({ network, privateKey: alice.privateKey, sequence, fee, recipient: bob.publicKey, amount });
}

async function expectRejected(block: Parameters<Chain['submitBlock']>[0], reason: string) {
  const before = chain.tip().hash;
  const result = await chain.submitBlock(block, 'api');
  expect(result).toMatchObject({ status: 'rejected', reason });
  expect(chain.tip().hash).toBe(before);
}

async function expectAccepted(block: Parameters<Chain['submitBlock']>[0]) {
  expect(await chain.submitBlock(block, 'api')).toMatchObject({ status: 'accepted', outcome: 'new-tip' });
}

describe('proof of work', () => {
  it('rejects a hash above the target (high-hash)', async () => {
    const block = seal(draft(chain));
    const target = bitsToTarget(block.header.bits);
    do block.header.nonce++;
    while (hashMeetsTarget(headerHash(block.header), target));
    await expectRejected(block, 'high-hash');
  });

  it('rejects bits other than the retarget rule gives, easier or harder (bad-diffbits)', async () => {
    const harder = draft(chain);
    harder.header.bits = 0x1f07ffff;
    await expectRejected(seal(harder), 'bad-diffbits');
    const aboveLimit = draft(chain);
    aboveLimit.header.bits = 0x2000ffff;
    await expectRejected(seal(aboveLimit), 'bad-diffbits');
    expect(chain.nextBits()).toBe(testNet.powLimitBits);
  });
});

describe('timestamps', () => {
  it('needs a time above the median of the last 11 blocks', async () => {
    const mtp = chain.tip().medianTimePast;
    await expectRejected(seal(draft(chain, { time: mtp })), 'time-too-old');
    await expectAccepted(seal(draft(chain, { time: mtp + 1 })));
  });

  it('allows at most 2 h into the future', async () => {
    await expectRejected(seal(draft(chain, { time: NOW + 7201 })), 'time-too-new');
    const other = await openChain();
    await mineNext(other, { time: NOW + 7200 });
    await other.close();
  });
});

describe('block contents', () => {
  it('checks the Merkle root', async () => {
    const block = draft(chain);
    block.header.merkleRoot = new Uint8Array(32).fill(9);
    await expectRejected(seal(block, { keepMerkleRoot: true }), 'bad-merkle-root');
  });

  it('needs exactly one coinbase, first, at the right height', async () => {
    const sequence = chain.account(alice.publicKey).sequence;
    const noCoinbase = draft(chain);
    noCoinbase.txs = [transfer(sequence)];
    await expectRejected(seal(noCoinbase), 'bad-cb-missing');
    const twoCoinbases = draft(chain);
    twoCoinbases.txs.push({ ...(twoCoinbases.txs[0] as CoinbaseTx), extranonce2: 1 });
    await expectRejected(seal(twoCoinbases), 'bad-cb-multiple');
    const wrongHeight = draft(chain);
    (wrongHeight.txs[0] as CoinbaseTx).height += 1;
    await expectRejected(seal(wrongHeight), 'bad-cb-height');
  });

  it('lets the coinbase claim subsidy + fees, not one unit more', async () => {
    const sequence = chain.account(alice.publicKey).sequence;
    const tx = transfer(sequence, COIN, 5000);
    const greedy = draft(chain);
    const height = chain.tip().height + 1;
    greedy.txs = [{ ...(greedy.txs[0] as CoinbaseTx), value: subsidyAt(testNet, height) + 5000 + 1 }, tx];
    await expectRejected(seal(greedy), 'bad-cb-amount');
    const exact = draft(chain);
    exact.txs = [{ ...(exact.txs[0] as CoinbaseTx), value: subsidyAt(testNet, height) + 5000 }, tx];
    await expectAccepted(seal(exact));
    expect(chain.account(bob.publicKey).balance).toBe(COIN);
  });

  it('rejects a duplicate transaction (dup-txid)', async () => {
    const tx = transfer(chain.account(alice.publicKey).sequence);
    const block = draft(chain);
    block.txs.push(tx, tx);
    await expectRejected(seal(block), 'dup-txid');
  });

  it('applies every transaction against the state in order', async () => {
    const spent = transfer(0);
    const first = draft(chain);
    first.txs.push(spent);
    (first.txs[0] as CoinbaseTx).value += spent.fee;
    await expectAccepted(seal(first));
    const sequence = chain.account(alice.publicKey).sequence;
    expect(sequence).toBe(1);
    const replayed = draft(chain);
    replayed.txs.push(spent); // the transaction already mined, sent again
    await expectRejected(seal(replayed), 'bad-sequence');
    const overspend = draft(chain);
    overspend.txs.push(transfer(sequence, 1000 * COIN));
    await expectRejected(seal(overspend), 'insufficient-funds');
    const tampered = draft(chain);
    tampered.txs.push({ ...transfer(sequence), amount: 2 * COIN });
    await expectRejected(seal(tampered), 'bad-signature');
    const inOrder = draft(chain);
    inOrder.txs.push(transfer(sequence), transfer(sequence + 1));
    const cb = inOrder.txs[0] as CoinbaseTx;
    cb.value += 2000;
    await expectAccepted(seal(inOrder));
    expect(chain.account(alice.publicKey).sequence).toBe(sequence + 2);
  });

  it('limits block size', async () => {
    const small = defineNetwork({
      name: 'small-blocks',
      powLimitBits: 0x1f0fffff,
      targetSpacing: 1,
      retargetWindow: 10,
      maxBlockBytes: 500,
      maxFutureSeconds: 7200,
      initialSubsidy: 50 * COIN,
      halvingInterval: 210_000,
      coinbaseMaturity: 0,
      genesisTime: testNet.genesis.header.time,
    });
    const c = await openChain({ network: small });
    await mineNext(c, { recipient: alice.publicKey });
    const txs = [0, 1, 2].map((s) => transfer(s, COIN, 1000, small));
    const tooBig = draft(c);
    tooBig.txs.push(...txs);
    (tooBig.txs[0] as CoinbaseTx).value += 3000;
    expect(encodeBlock(tooBig).length).toBeGreaterThan(500);
    expect(await c.submitBlock(seal(tooBig), 'api')).toMatchObject({ status: 'rejected', reason: 'block-too-large' });
    const fits = draft(c);
    fits.txs.push(...txs.slice(0, 2));
    (fits.txs[0] as CoinbaseTx).value += 2000;
    expect(await c.submitBlock(seal(fits), 'api')).toMatchObject({ status: 'accepted' });
    await c.close();
  });
});

describe('linking and decoding', () => {
  it('needs a known parent', async () => {
    const orphan = draft(chain);
    orphan.header.prevHash = new Uint8Array(32).fill(1);
    await expectRejected(seal(orphan), 'prev-blk-not-found');
  });

  it('rejects undecodable bytes and reports a block it already has', async () => {
    await expectRejected(new Uint8Array([1, 2, 3]), 'malformed');
    const good = seal(draft(chain));
    const bytes = encodeBlock(good);
    await expectRejected(Uint8Array.from([...bytes, 0]), 'malformed');
    await expectAccepted(bytes);
    expect(await chain.submitBlock(good, 'api')).toEqual({ status: 'duplicate', hash: toDisplayHex(headerHash(good.header)) });
  });

  it('emits block-rejected with the reason', async () => {
    const seen: string[] = [];
    chain.on('block-rejected', (e) => seen.push(e.reason));
    const orphan = draft(chain);
    orphan.header.prevHash = new Uint8Array(32).fill(2);
    await chain.submitBlock(seal(orphan), 'api');
    chain.removeAllListeners('block-rejected');
    expect(seen).toEqual(['prev-blk-not-found']);
  });
});

describe('transaction rules at admission', () => {
  it('each stateless and state rule has its reason', () => {
    const seq = chain.account(alice.publicKey).sequence;
    expect(chain.acceptTransaction(transfer(seq, COIN, 0))).toMatchObject({ accepted: false, reason: 'bad-fee' });
    expect(chain.acceptTransaction(transfer(seq, 0))).toMatchObject({ accepted: false, reason: 'bad-amount' });
    expect(chain.acceptTransaction(transfer(seq, COIN, 1000, networks.dev))).toMatchObject({ accepted: false, reason: 'bad-signature' });
    expect(chain.acceptTransaction(transfer(seq + 1))).toMatchObject({ accepted: false, reason: 'bad-sequence' });
    expect(chain.acceptTransaction(transfer(seq, 10_000 * COIN))).toMatchObject({ accepted: false, reason: 'insufficient-funds' });
    expect(chain.acceptTransaction('00ff')).toMatchObject({ accepted: false, reason: 'malformed-tx' });
    const coinbase = draft(chain).txs[0]!;
    expect(chain.acceptTransaction(coinbase)).toMatchObject({ accepted: false, reason: 'coinbase-not-allowed' });
    const record = (resourceType: string, locator = 'ipfs://x') =>
      buildRecord({
        network: testNet, privateKey: alice.privateKey, sequence: seq, fee: 1000, subject: new Uint8Array(32).fill(3),
        resourceType, commitment: commitmentOf(new Uint8Array(32), new Uint8Array([1])), locator,
      });
    expect(chain.acceptTransaction(record('observation'))).toMatchObject({ accepted: false, reason: 'bad-resource-type' });
    expect(chain.acceptTransaction(record('Observation', 'x'.repeat(257)))).toMatchObject({ accepted: false, reason: 'locator-too-long' });
    const ok = chain.acceptTransaction(transfer(seq));
    expect(ok).toMatchObject({ accepted: true });
    expect(chain.acceptTransaction(transfer(seq))).toMatchObject({ accepted: false, reason: 'already-in-mempool' });
    expect(chain.acceptTransaction(Buffer.from(fromHex('00')).toString('hex'))).toMatchObject({ accepted: false, reason: 'malformed-tx' });
    const lone: CoinbaseTx = { kind: 'coinbase', height: 99, recipient: fromHex(bob.publicKey, 32), extranonce1: 0, extranonce2: 0, value: COIN };
    expect(chain.acceptTransaction(lone)).toMatchObject({ accepted: false, reason: 'coinbase-not-allowed' });
  });
});

describe('retargeting', () => {
  it('keeps the target when blocks come on time and raises difficulty when they come fast', async () => {
    const net = defineNetwork({
      name: 'retarget', powLimitBits: 0x1f0fffff, targetSpacing: 20, retargetWindow: 5, maxBlockBytes: 100_000,
      maxFutureSeconds: 7200, initialSubsidy: COIN, halvingInterval: 1000, coinbaseMaturity: 5, genesisTime: testNet.genesis.header.time,
    });
    const c = await openChain({ network: net });
    await mineMany(c, 3, { spacing: 20 });
    expect(c.nextBits()).toBe(net.powLimitBits);
    await mineMany(c, 2, { spacing: 10 });
    // LWMA over the 5 solve times 20, 20, 20, 10, 10 s (weights 1..5): 210 weighted seconds against
    // the 300 expected, so the next target is 0.7 × the average target of those blocks; block 5
    // already carries 0.8 × the limit (160 of 200 weighted seconds over its 4 predecessors).
    const block5 = bitsToTarget(targetToBits((net.powLimit * 8n) / 10n));
    expect(c.blockByHeight(5)!.block.header.bits).toBe(targetToBits(block5));
    expect(c.nextBits()).toBe(targetToBits(((4n * net.powLimit + block5) / 5n) * 7n / 10n));
    const slow = draft(c, { time: c.tip().header.time + 10 });
    slow.header.bits = net.powLimitBits; // claiming the old, easier target is refused
    expect(await c.submitBlock(seal(slow), 'api')).toMatchObject({ status: 'rejected', reason: 'bad-diffbits' });
    await c.close();
  });
});

void burnKey;
void solveHeader;

describe('coinbase maturity', () => {
  it(`lets a reward be spent only ${testNet.coinbaseMaturity} blocks after the block that paid it, in the mempool and in a block`, async () => {
    const c = await openChain();
    const miner = keys();
    await mineNext(c, { recipient: miner.publicKey }); // height 1 pays the miner
    await mineMany(c, testNet.coinbaseMaturity - 2); // tip at maturity - 1: the next block is one too early
    const spend = buildTransfer({ network: testNet, privateKey: miner.privateKey, sequence: 0, fee: 1000, recipient: bob.publicKey, amount: COIN });
    expect(c.acceptTransaction(spend)).toMatchObject({ accepted: false, reason: 'immature-coinbase' });
    const early = draft(c);
    early.txs.push(spend);
    const earlyResult = await c.submitBlock(seal(early), 'api');
    expect(earlyResult).toMatchObject({ status: 'rejected', reason: 'immature-coinbase', penalty: 'fatal' });

    await mineNext(c); // now the next block is at 1 + maturity
    expect(c.tip().height + 1).toBe(1 + testNet.coinbaseMaturity);
    expect(c.acceptTransaction(spend)).toMatchObject({ accepted: true });
    const mined = await mineNext(c);
    expect(mined.txs).toHaveLength(2);
    expect(c.account(bob.publicKey).balance).toBe(COIN);
    // A reward that is not spent stays in the balance; the dev network waits 100 blocks.
    expect(c.account(miner.publicKey).balance).toBe(50 * COIN - COIN - 1000);
    expect(networks.dev.coinbaseMaturity).toBe(100);
    await c.close();
  });
});
