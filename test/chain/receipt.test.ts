import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { Chain } from '../../src/chain/chain.js';
import { decodeHeader, encodeHeader, headerHash, type BlockHeader } from '../../src/chain/header.js';
import { fromHex, toDisplayHex, toHex } from '../../src/chain/hash.js';
import { MAX_RECEIPT_HEADERS, verifyReceipt, type AnchorChain, type Receipt } from '../../src/chain/receipt.js';
import { buildRecord, commitmentOf, newSalt } from '../../src/chain/signing.js';
import { bitsToTarget, blockWork, hashMeetsTarget, targetToBits } from '../../src/chain/target.js';
import { forgeReceipt } from './forgery.js';
import { fundedChain, keys, mineNext, NOW, removeTempDirs, solveHeader, testNet } from './helpers.js';

/**
 * Receipts against a real chain on the test network: a record buried under enough headers for the
 * retarget rule and the median time to be checked, every way of tampering with one, and the
 * issue's forgery — a self-signed record in a made-up block with made-up headers on top.
 */
const clinic = keys();
const subject = new Uint8Array(32).fill(0x5a);
const document = Buffer.from('{"resourceType":"Observation","code":"8867-4","value":72}');
const salt = newSalt();
/** Past the window of 10 + 1, so the last headers carried are checked against the retarget rule. */
const ON_TOP = 14;
/** Solve times on top: uneven, so the retarget rule's answer changes from block to block. */
const SPACINGS = [1, 3, 0, 2, 1, 4, 1, 0, 2, 1, 3, 1, 2, 1];

interface Buried {
  chain: Chain;
  receipt: Receipt;
  recordTxid: string;
}

/** A fresh chain holding the clinic's record under ON_TOP blocks, and the receipt the chain gives for it. */
async function buryRecord(): Promise<Buried> {
  const chain = await fundedChain([clinic]); // the clinic's reward matures
  const record = (fee: number, commitment: Uint8Array) =>
    buildRecord({
      network: testNet, privateKey: clinic.privateKey, sequence: chain.account(clinic.publicKey).pendingSequence, fee,
      subject, resourceType: 'Observation', commitment, locator: 'ehr://clinic/obs/1',
    });
  const admit = (tx: ReturnType<typeof record>): string => {
    const result = chain.acceptTransaction(tx);
    if (!result.accepted) throw new Error(`${result.reason}: ${result.message}`);
    return result.txid;
  };
  // Coinbase + 4: five transactions, the record last (lowest fee) at an even index on an odd level.
  for (let i = 0; i < 3; i++) admit(record(3000, commitmentOf(newSalt(), Buffer.from(`note ${i}`))));
  const recordTxid = admit(record(1000, commitmentOf(salt, document)));
  await mineNext(chain);
  for (const spacing of SPACINGS) await mineNext(chain, { spacing });
  return { chain, receipt: chain.receipt(recordTxid)!, recordTxid };
}

// The tests read one shared receipt and its chain; a test that grows a chain buries a record of its own.
let chain: Chain;
let receipt: Receipt;
let recordTxid: string;
let sharedTip: string;
const grownChains: Chain[] = [];

beforeAll(async () => {
  ({ chain, receipt, recordTxid } = await buryRecord());
  sharedTip = chain.tip().hash;
});
afterEach(async () => {
  for (const c of grownChains.splice(0)) await c.close();
  expect(chain.tip().hash, 'a test changed the shared chain: give it a chain of its own').toBe(sharedTip);
});
afterAll(async () => {
  await chain.close();
  removeTempDirs();
});

/** A receipt as issued, on a chain that has since grown one block past it. */
async function grownSinceIssue(): Promise<Buried> {
  const buried = await buryRecord();
  grownChains.push(buried.chain);
  await mineNext(buried.chain);
  return buried;
}

/** A chain's best chain as an anchor, as `verify --node` or a headers file would give it. */
function anchorOf(kind: AnchorChain['kind'], from = 0, on = chain): AnchorChain {
  const hashes = on.mainHeaders(from, 100_000).map((h) => toDisplayHex(headerHash(h)));
  return { kind, name: kind, network: 'test', tipHeight: on.tip().height, hashAt: (h) => hashes[h - from] };
}

const tipCheckpoint = (on = chain) => ({ height: on.tip().height, hash: on.tip().hash });
const copy = (r: Receipt): Receipt => JSON.parse(JSON.stringify(r)) as Receipt;
const headersOf = (r: Receipt) => r.headers.map((h) => decodeHeader(fromHex(h)));
const hexOf = (h: BlockHeader) => toHex(encodeHeader(h));

describe('a real receipt', () => {
  it('carries the block, the coinbase, the last transaction and every header up to the tip', () => {
    expect(receipt).toMatchObject({ version: 2, network: 'test', txid: recordTxid, index: 4, txCount: 5, confirmations: ON_TOP + 1 });
    expect(receipt.headers).toHaveLength(ON_TOP);
    expect(toDisplayHex(headerHash(headersOf(receipt).at(-1)!))).toBe(chain.tip().hash);
    expect(receipt.merklePath).toHaveLength(3);
  });

  it('verifies unanchored with every field but the chain proven, and prices a forgery at the work carried', () => {
    const verdict = verifyReceipt(copy(receipt), { opening: { document, salt } });
    expect(verdict).toMatchObject({ valid: true, status: 'unanchored', version: 2 });
    expect(verdict.checks.every((c) => c.ok)).toBe(true);
    expect(verdict.checks.map((c) => c.name)).toEqual(['format', 'network', 'txid', 'signature', 'merkle-path', 'tx-count', 'tx-count', 'height', 'proof-of-work', 'proof-of-work', 'header-chain', 'confirmations', 'commitment']);
    const proven = Object.fromEntries(verdict.fields.map((f) => [f.name, f.proven]));
    expect(proven).toEqual({ txid: true, block: true, height: true, index: true, 'tx-count': true, confirmations: true, chain: false });
    expect(verdict.fields.find((f) => f.name === 'height')!.value).toBe(receipt.height);
    // The retarget rule and the median time were checked wherever the receipt holds their window
    // (10 + 1 and 11 headers before): the carried headers 11 to 14.
    expect(verdict.checks.find((c) => c.name === 'header-chain')!.detail).toMatch(/retarget rule for 4 of them and times pass the median for 4/);
    const work = headersOf(receipt).reduce((sum, h) => sum + blockWork(bitsToTarget(h.bits)), 0n);
    const own = blockWork(bitsToTarget(decodeHeader(fromHex(receipt.header)).bits));
    expect(verdict.work).toEqual({ block: own, onTop: work, headers: ON_TOP, forgeCost: own + work });
  });

  it('is buried when anchored by a checkpoint, the node chain or a headers file', () => {
    for (const options of [{ checkpoints: [tipCheckpoint()] }, { checkpoints: [{ height: receipt.height, hash: receipt.blockHash }] }, { chains: [anchorOf('node')] }, { chains: [anchorOf('headers-file')] }]) {
      const verdict = verifyReceipt(receipt, options);
      expect(verdict, JSON.stringify(options.checkpoints ?? options.chains[0]!.kind)).toMatchObject({ valid: true, status: 'buried' });
      expect(verdict.fields.find((f) => f.name === 'chain')!.proven).toBe(true);
    }
  });

  it('stays buried when the anchor chain grew since issue, and counts confirmations there', async () => {
    const { chain: grown, receipt: issued } = await grownSinceIssue();
    expect(grown.tip().height).toBe(issued.height + ON_TOP + 1);
    const verdict = verifyReceipt(issued, { chains: [anchorOf('node', issued.height, grown)] });
    expect(verdict).toMatchObject({ status: 'buried' });
    expect(verdict.fields.find((f) => f.name === 'confirmations')).toMatchObject({ value: ON_TOP + 2, proven: true });
  });
});

describe('a tampered receipt fails with its own reason', () => {
  const cases: [string, (r: Receipt) => unknown, string][] = [
    ['a height that is not the coinbase\'s', (r) => ({ ...r, height: r.height + 1 }), 'bad-height'],
    ['a made-up height (the issue\'s 123456)', (r) => ({ ...r, height: 123456 }), 'bad-height'],
    ['more confirmations than headers carried', (r) => ({ ...r, confirmations: r.confirmations + 5 }), 'bad-confirmations'],
    ['fewer confirmations than headers carried', (r) => ({ ...r, confirmations: 1 }), 'bad-confirmations'],
    ['an unknown version', (r) => ({ ...r, version: 3 }), 'bad-version'],
    ['no version', (r) => ({ ...r, version: undefined }), 'bad-version'],
    ['a version 2 receipt relabelled version 1', (r) => ({ ...r, version: 1 }), 'bad-version'],
    ['index bits above the path depth', (r) => ({ ...r, index: r.index + 2 ** r.merklePath.length }), 'bad-index'],
    ['a high bit far above the depth', (r) => ({ ...r, index: r.index + 2 ** 40 }), 'bad-index'],
    // Leaf 4 of 5 is doubled on its level: indices 5..7 reach the same root; only the count refutes them.
    ['an index past the last transaction that the duplicated leaf lets through the root', (r) => ({ ...r, index: 5 }), 'bad-index'],
    ['a larger transaction count', (r) => ({ ...r, txCount: 6 }), 'bad-tx-count'],
    ['a transaction count of 8 (a full tree)', (r) => ({ ...r, txCount: 8 }), 'bad-tx-count'],
    ['a last transaction that is not the last', (r) => ({ ...r, txCount: 4, lastTx: { txid: r.txid, merklePath: r.merklePath } }), 'bad-tx-count'],
    ['a coinbase from another block', (r) => ({ ...r, coinbase: { ...r.coinbase, tx: r.coinbase.tx.slice(0, 2) + '00000000' + r.coinbase.tx.slice(10) } }), 'bad-coinbase'],
    ['a transaction in the coinbase\'s place', (r) => ({ ...r, coinbase: { tx: r.tx, merklePath: r.merklePath } }), 'bad-coinbase'],
    ['a broken prevHash link (a header dropped)', (r) => ({ ...r, headers: [...r.headers.slice(0, 5), ...r.headers.slice(6)] }), 'headers-broken-link'],
    ['headers out of order', (r) => ({ ...r, headers: [r.headers[1], r.headers[0], ...r.headers.slice(2)] }), 'headers-broken-link'],
    ['more headers than a receipt may carry', (r) => ({ ...r, headers: Array.from({ length: MAX_RECEIPT_HEADERS + 1 }, () => r.headers[0]) }), 'malformed'],
  ];
  it.each(cases)('%s', (_what, tamper, reason) => {
    const verdict = verifyReceipt(tamper(copy(receipt)));
    expect(verdict).toMatchObject({ valid: false, status: 'invalid', reason });
  });

  /** Replace the last carried header (nothing links to it) after `change`, re-solved unless told not to. */
  const withLastHeader = (change: (h: BlockHeader) => void, solve = true): Receipt => {
    const r = copy(receipt);
    const headers = headersOf(r);
    const last = headers.at(-1)!;
    change(last);
    if (solve) solveHeader(last);
    r.headers[r.headers.length - 1] = hexOf(last);
    return r;
  };

  it('a header that misses its target', () => {
    const r = withLastHeader((h) => {
      const target = bitsToTarget(h.bits);
      do h.nonce = (h.nonce + 1) >>> 0;
      while (hashMeetsTarget(headerHash(h), target));
    }, false);
    expect(verifyReceipt(r)).toMatchObject({ valid: false, reason: 'headers-high-hash' });
  });

  it('bits that break the retarget rule, though the header meets them', () => {
    const r = withLastHeader((h) => (h.bits = targetToBits(bitsToTarget(h.bits) / 2n)));
    expect(verifyReceipt(r)).toMatchObject({ valid: false, reason: 'headers-bad-retarget' });
  });

  it('bits beyond the network limit', () => {
    const r = withLastHeader((h) => (h.bits = 0x2000ffff));
    expect(verifyReceipt(r)).toMatchObject({ valid: false, reason: 'headers-bad-diffbits' });
  });

  it('a header time not above the median time past', () => {
    const r = withLastHeader((h) => (h.time = decodeHeader(fromHex(receipt.header)).time));
    expect(verifyReceipt(r)).toMatchObject({ valid: false, reason: 'headers-time-too-old' });
  });

  it('a header time beyond the clock', () => {
    const r = withLastHeader((h) => (h.time = NOW + 3 * 3600));
    expect(verifyReceipt(r, { now: NOW })).toMatchObject({ valid: false, reason: 'headers-time-too-new' });
  });

  it('a checkpoint the chain does not pass through, or one outside it', async () => {
    const other = { height: receipt.height + 3, hash: receipt.blockHash };
    expect(verifyReceipt(receipt, { checkpoints: [other] })).toMatchObject({ valid: false, reason: 'checkpoint-mismatch' });
    expect(verifyReceipt(receipt, { checkpoints: [{ height: receipt.height - 1, hash: receipt.blockHash }] })).toMatchObject({ reason: 'checkpoint-not-covered' });
    const { chain: grown, receipt: issued } = await grownSinceIssue();
    expect(verifyReceipt(issued, { checkpoints: [tipCheckpoint(grown)] })).toMatchObject({ reason: 'checkpoint-not-covered' }); // the chain grew past the receipt
  });

  it('an anchor on another network', () => {
    expect(verifyReceipt(receipt, { chains: [{ ...anchorOf('node'), network: 'dev' }] })).toMatchObject({ valid: false, reason: 'anchor-wrong-network' });
  });
});

describe('version 1 receipts', () => {
  const v1 = () => {
    const { txCount: _c, lastTx: _l, coinbase: _cb, headers: _h, ...rest } = copy(receipt);
    return { ...rest, version: 1 };
  };

  it('verify as far as they can, with height, index and confirmations unproven, never buried', () => {
    for (const options of [{}, { checkpoints: [{ height: receipt.height, hash: receipt.blockHash }] }, { chains: [anchorOf('node')] }]) {
      const verdict = verifyReceipt(v1(), options);
      expect(verdict).toMatchObject({ valid: true, status: 'unanchored', version: 1 });
      const unproven = verdict.fields.filter((f) => !f.proven).map((f) => f.name);
      expect(unproven).toEqual(['height', 'index', 'confirmations', 'chain']);
    }
  });

  it('still refuse index bits above the path depth', () => {
    expect(verifyReceipt({ ...v1(), index: receipt.index + 2 ** receipt.merklePath.length })).toMatchObject({ valid: false, reason: 'bad-index' });
  });
});

describe("the issue's forgery: a self-signed record in a made-up block, with made-up headers on top", () => {
  let forged: Receipt;
  beforeAll(() => {
    forged = forgeReceipt({ height: 123456, onTop: 15, commitment: commitmentOf(salt, document) });
  });

  it('passes every check a receipt can make alone: valid but unanchored, priced at the few hashes it took', () => {
    const verdict = verifyReceipt(forged, { opening: { document, salt } });
    expect(verdict).toMatchObject({ valid: true, status: 'unanchored' });
    expect(verdict.fields.find((f) => f.name === 'chain')).toMatchObject({ value: 'unanchored', proven: false });
    expect(verdict.work!.forgeCost).toBeLessThan(2n ** 20n); // ~16 blocks of ~4,096 hashes
  });

  it('is refused by every anchor', () => {
    expect(verifyReceipt(forged, { checkpoints: [tipCheckpoint()] })).toMatchObject({ valid: false, reason: 'checkpoint-not-covered' });
    expect(verifyReceipt(forged, { chains: [anchorOf('node')] })).toMatchObject({ valid: false, reason: 'not-on-node-chain' });
    expect(verifyReceipt(forged, { chains: [anchorOf('headers-file')] })).toMatchObject({ valid: false, reason: 'not-in-headers-file' });
  });

  it('is refused at a height the real chain holds: the checkpoint and the chains hold another block there', () => {
    const there = forgeReceipt({ height: receipt.height, onTop: 15, commitment: commitmentOf(salt, document) });
    expect(verifyReceipt(there)).toMatchObject({ valid: true, status: 'unanchored' });
    expect(verifyReceipt(there, { checkpoints: [{ height: receipt.height + 10, hash: toDisplayHex(headerHash(chain.mainHeaders(receipt.height + 10, 1)[0]!)) }] })).toMatchObject({ valid: false, reason: 'checkpoint-mismatch' });
    expect(verifyReceipt(there, { chains: [anchorOf('node')] })).toMatchObject({ valid: false, reason: 'not-on-node-chain' });
    expect(verifyReceipt(there, { chains: [anchorOf('headers-file')] })).toMatchObject({ valid: false, reason: 'not-in-headers-file' });
  });

});
