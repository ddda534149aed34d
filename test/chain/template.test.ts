import { afterEach, describe, expect, it } from 'vitest';
import type { Chain } from '../../src/chain/chain.js';
import { computeMerkleRoot } from '../../src/chain/block.js';
import { toHex } from '../../src/chain/hash.js';
import { buildTransfer } from '../../src/chain/signing.js';
import { COINBASE_LAYOUT, encodeTx, type CoinbaseTx } from '../../src/chain/tx.js';
import { keys, mineNext, openChain, removeTempDirs, solveHeader, testNet } from '../chain/helpers.js';

let chain: Chain | undefined;
afterEach(async () => {
  // Forgotten once closed: a test that opens no chain must not close the last test's one again.
  await chain?.close();
  chain = undefined;
  removeTempDirs();
});

describe('BlockTemplate for miners other than the node', () => {
  it('lays the coinbase out as COINBASE_LAYOUT says: coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2', () => {
    const coinbase: CoinbaseTx = { kind: 'coinbase', height: 0x01020304, recipient: new Uint8Array(32).fill(9), extranonce1: 0xa1a2a3a4, extranonce2: 0xb1b2b3b4, value: 5 };
    const bytes = encodeTx(coinbase);
    expect(bytes.length).toBe(COINBASE_LAYOUT.bytes);
    expect(toHex(bytes.subarray(COINBASE_LAYOUT.extranonce1, COINBASE_LAYOUT.extranonce2))).toBe('a4a3a2a1');
    expect(toHex(bytes.subarray(COINBASE_LAYOUT.extranonce2, COINBASE_LAYOUT.value))).toBe('b4b3b2b1');
    expect(toHex(bytes.subarray(COINBASE_LAYOUT.value))).toBe('0500000000000000');
  });

  it('pays another key with the same transactions and branch, and takes a miner\'s extranonce1, ntime and version', async () => {
    chain = await openChain();
    const funded = keys();
    await mineNext(chain, { recipient: funded.publicKey });
    for (let sequence = 0; sequence < 3; sequence++) {
      chain.acceptTransaction(buildTransfer({ network: testNet, privateKey: funded.privateKey, sequence, fee: 100, recipient: keys().publicKey, amount: 1 }));
    }
    const template = chain.template(funded.publicKey);
    const payee = keys().publicKey;
    const theirs = template.forRecipient(payee);
    expect(theirs.branch).toBe(template.branch);
    expect(theirs.fields.txs).toBe(template.fields.txs);
    const block = theirs.blockFor(9, 0, { extranonce1: 0xdeadbeef, time: template.fields.time + 30, version: 0x20000001 });
    const coinbase = block.txs[0] as CoinbaseTx;
    expect(toHex(coinbase.recipient)).toBe(payee);
    expect(coinbase).toMatchObject({ extranonce1: 0xdeadbeef, extranonce2: 9, value: template.fields.coinbaseValue });
    expect(block.header).toMatchObject({ time: template.fields.time + 30, version: 0x20000001 });
    expect(block.header.merkleRoot).toEqual(computeMerkleRoot(block.txs));
    // The split Stratum hands out rebuilds that coinbase.
    const { coinb1, coinb2 } = theirs.stratumParts();
    expect(toHex(coinb1) + 'efbeadde' + '09000000' + toHex(coinb2)).toBe(toHex(encodeTx(coinbase)));
    solveHeader(block.header);
    expect(await chain.submitBlock(block, 'stratum')).toMatchObject({ status: 'accepted', outcome: 'new-tip' });
    expect(chain.account(payee).balance).toBe(coinbase.value);
    expect(() => template.blockFor(0, 0, { extranonce1: 2 ** 32 })).toThrow(RangeError);
    expect(() => template.forRecipient('abcd')).toThrow(RangeError);
  });
});
