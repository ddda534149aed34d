import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { decodeBlock, encodeBlock, type Block } from '../../src/chain/block.js';
import { decodeTx, encodeTx, type Transaction } from '../../src/chain/tx.js';
import { buildCustody, buildRecord, buildTransfer } from '../../src/chain/signing.js';
import { NOW, keys, mineNext, openChain, removeTempDirs, tempDir, testNet } from './helpers.js';

afterAll(removeTempDirs);

const bytes32 = fc.uint8Array({ minLength: 32, maxLength: 32 });
const amount = fc.integer({ min: 1, max: Number.MAX_SAFE_INTEGER });
const u32 = fc.integer({ min: 0, max: 0xffffffff });
const signer = keys();

const transaction: fc.Arbitrary<Transaction> = fc.oneof(
  fc.record({ height: u32, recipient: bytes32, extranonce1: u32, extranonce2: u32, value: fc.integer({ min: 0, max: Number.MAX_SAFE_INTEGER }) }).map(
    (c) => ({ kind: 'coinbase' as const, ...c }),
  ),
  fc.record({ sequence: u32, fee: amount, amount }).map((t) =>
    buildTransfer({ network: testNet, privateKey: signer.privateKey, recipient: '22'.repeat(32), ...t }),
  ),
  fc
    .record({
      sequence: u32,
      fee: amount,
      subject: bytes32,
      resourceType: fc.constantFrom('Observation', 'DocumentReference', 'Condition'),
      commitment: bytes32,
      locator: fc.string({ maxLength: 80 }),
      previous: fc.option(fc.record({ txid: bytes32, relation: fc.constantFrom('replaces' as const, 'appends' as const) }), { nil: undefined }),
    })
    .map(({ previous, ...r }) => buildRecord({ network: testNet, privateKey: signer.privateKey, ...r, ...(previous ? { previous } : {}) })),
  fc.record({ sequence: u32, fee: amount, record: bytes32 }).map((c) =>
    buildCustody({ network: testNet, privateKey: signer.privateKey, newOwner: '33'.repeat(32), ...c }),
  ),
);

describe('codec properties', () => {
  it('every transaction round-trips byte-for-byte', () => {
    fc.assert(
      fc.property(transaction, (tx) => {
        const bytes = encodeTx(tx);
        const back = decodeTx(bytes);
        expect(back).toEqual(tx);
        expect(encodeTx(back)).toEqual(bytes);
      }),
      { numRuns: 200 },
    );
  });

  it('blocks round-trip, and any truncation is refused', () => {
    const block: fc.Arbitrary<Block> = fc
      .record({ version: u32, prevHash: bytes32, merkleRoot: bytes32, time: u32, bits: u32, nonce: u32, txs: fc.array(transaction, { maxLength: 6 }) })
      .map(({ txs, ...header }) => ({ header, txs }));
    fc.assert(
      fc.property(block, fc.nat(), (b, cut) => {
        const bytes = encodeBlock(b);
        expect(decodeBlock(bytes)).toEqual(b);
        const at = cut % bytes.length;
        expect(() => decodeBlock(bytes.subarray(0, at))).toThrow();
      }),
      { numRuns: 100 },
    );
  });
});

describe('store property', () => {
  it('random valid chains survive the store unchanged', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ spacing: fc.integer({ min: 1, max: 4 }), payments: fc.integer({ min: 0, max: 3 }) }), { minLength: 1, maxLength: 6 }),
        async (plan) => {
          const dataDir = tempDir();
          const miner = keys();
          const chain = await openChain({ dataDir });
          await mineNext(chain, { recipient: miner.publicKey });
          for (const step of plan) {
            for (let i = 0; i < step.payments; i++) {
              const sequence = chain.account(miner.publicKey).pendingSequence;
              chain.acceptTransaction(buildTransfer({ network: testNet, privateKey: miner.privateKey, sequence, fee: 10 + i, recipient: '44'.repeat(32), amount: 1000 }));
            }
            await mineNext(chain, { spacing: step.spacing });
          }
          const height = chain.tip().height;
          const blocks = Array.from({ length: height + 1 }, (_, h) => encodeBlock(chain.blockByHeight(h)!.block));
          await chain.close();
          const reopened = await openChain({ dataDir, now: () => NOW });
          expect(reopened.tip().height).toBe(height);
          for (let h = 0; h <= height; h++) expect(encodeBlock(reopened.blockByHeight(h)!.block)).toEqual(blocks[h]);
          expect(reopened.account(miner.publicKey)).toEqual(chain.account(miner.publicKey));
          await reopened.close();
        },
      ),
      { numRuns: 15 },
    );
  });
});
