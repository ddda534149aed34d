import { blockHashHex, computeMerkleRoot, type Block } from '../../src/chain/block.js';
import { headerHash, type BlockHeader } from '../../src/chain/header.js';
import { fromHex } from '../../src/chain/hash.js';
import { COIN, networks } from '../../src/chain/network.js';
import { makeReceipt, type Receipt } from '../../src/chain/receipt.js';
import { nextBits } from '../../src/chain/retarget.js';
import { buildRecord } from '../../src/chain/signing.js';
import type { CoinbaseTx } from '../../src/chain/tx.js';
import { burnKey, keys, NOW, solveHeader } from './helpers.js';

/**
 * The forgery, as anyone can make it without the chain: a fresh key signs a record, a
 * made-up coinbase names a made-up height, the block (prevHash 0x11…) and `onTop` headers after it
 * are mined at the test network's easiest target, following every rule a receipt can check alone
 * (linked, mined, retargeted, timed). A few tens of thousands of hashes in all.
 */
export function forgeReceipt(options: { height: number; onTop: number; commitment: Uint8Array; time?: number }): Receipt {
  const net = networks.test;
  const forger = keys();
  const record = buildRecord({
    network: net, privateKey: forger.privateKey, sequence: 0, fee: 2000, subject: new Uint8Array(32).fill(0x5a),
    resourceType: 'Observation', commitment: options.commitment, locator: 'ehr://forged/1',
  });
  const coinbase: CoinbaseTx = { kind: 'coinbase', height: options.height, recipient: fromHex(burnKey), extranonce1: 0, extranonce2: 0, value: 50 * COIN };
  const block: Block = {
    header: { version: 1, prevHash: new Uint8Array(32).fill(0x11), merkleRoot: computeMerkleRoot([coinbase, record]), time: options.time ?? NOW - 1000, bits: net.powLimitBits, nonce: 0 },
    txs: [coinbase, record],
  };
  solveHeader(block.header);
  const run: BlockHeader[] = [block.header];
  for (let i = 0; i < options.onTop; i++) {
    const parent = run.at(-1)!;
    const bits = nextBits(net, run.slice(-(net.retargetWindow + 1)));
    run.push(solveHeader({ version: 1, prevHash: headerHash(parent), merkleRoot: new Uint8Array(32).fill(i), time: parent.time + 1, bits, nonce: 0 }));
  }
  return makeReceipt(net.name, block, 1, { hash: blockHashHex(block), height: options.height }, run.slice(1), options.onTop + 1);
}
