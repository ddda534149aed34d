import { describe, expect, it } from 'vitest';
import { toDisplayHex } from '../../src/chain/hash.js';
import { CoinbaseBuffer, HeaderScratch, merkleRootFor, sha256d } from '../../src/stratum/header-assembly.js';
import { DIFF1, parseU32Hex, prevHashFromStratum, prevHashToStratum, shareDifficulty, targetForDifficulty, u32Hex } from '../../src/stratum/protocol.js';
import { espMinerVector } from './vectors.js';

const vector = espMinerVector();

/** A real Bitcoin share from ESP-Miner's tests (../shared/vectors): the byte orders of every field. */
describe('the ESP-Miner share vector', () => {
  if (!vector) {
    it.skip('needs ../shared/vectors/stratum-esp-miner.json', () => {});
    return;
  }
  const v = vector;
  const branch = v.notify.merkle_branch.map((h) => Buffer.from(h, 'hex'));
  const fields = { prevHash: prevHashFromStratum(v.notify.prevhash), version: parseU32Hex(v.notify.version), bits: parseU32Hex(v.notify.nbits), merkleBranch: branch };

  it('folds the coinbase up the branch to the expected Merkle root', () => {
    expect(merkleRootFor(Buffer.from(v.coinbase, 'hex'), branch).toString('hex')).toBe(v.expect.merkle_root_internal);
  });

  it('reads prevhash in Stratum\'s word-swapped order, and writes it back', () => {
    expect(toDisplayHex(fields.prevHash)).toBe(v.expect.prevhash_display);
    expect(prevHashToStratum(fields.prevHash)).toBe(v.notify.prevhash);
  });

  it('builds the header and its hash from the notify and the submit, wherever the extranonces sit in the coinbase', () => {
    const whole = Buffer.from(v.coinbase, 'hex');
    // The miner's split is coinb1 ‖ extranonce1 ‖ extranonce2 ‖ coinb2; any split gives the same coinbase.
    for (const at of [40, 62]) {
      const coinbase = new CoinbaseBuffer(whole.subarray(0, at), whole.subarray(at, at + 4), 4, whole.subarray(at + 8));
      coinbase.setExtranonce2Hex(whole.subarray(at + 4, at + 8).toString('hex'));
      expect(coinbase.bytes.equals(whole)).toBe(true);
      const header = new HeaderScratch().fill(fields, coinbase.bytes, parseU32Hex(v.submit.ntime), parseU32Hex(v.submit.nonce), fields.version);
      expect(header.toString('hex')).toBe(v.expect.header);
      expect(toDisplayHex(sha256d(header))).toBe(v.expect.hash_display);
    }
    expect(u32Hex(parseU32Hex(v.submit.nonce))).toBe(v.submit.nonce);
  });

  it('gives the share its difficulty against DIFF1 = 0x00000000ffff0000…', () => {
    expect('0x' + DIFF1.toString(16).padStart(64, '0')).toBe(v.expect.difficulty_1_target);
    expect(targetForDifficulty(1)).toBe(DIFF1);
    const hash = sha256d(Buffer.from(v.expect.header, 'hex'));
    expect(shareDifficulty(hash)).toBeCloseTo(v.expect.share_difficulty, 2);
    // It meets a difficulty-683 share target and not a 684 one.
    const value = BigInt('0x' + toDisplayHex(hash));
    expect(value <= targetForDifficulty(683)).toBe(true);
    expect(value <= targetForDifficulty(684)).toBe(false);
  });
});
