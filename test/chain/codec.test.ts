import { describe, expect, it } from 'vitest';
import { decodeHeader, encodeHeader, headerHash } from '../../src/chain/header.js';
import { fromDisplayHex, toDisplayHex, fromHex, toHex, sha256d } from '../../src/chain/hash.js';
import { merklePath, merkleRoot, rootFromPath } from '../../src/chain/merkle.js';
import { bitsToTarget, blockWork, difficulty, hashMeetsTarget, targetToBits, targetToBytes } from '../../src/chain/target.js';
import { computeMerkleRoot, decodeBlock, encodeBlock } from '../../src/chain/block.js';
import { defineNetwork, genesisHeaderHex, networks, COIN } from '../../src/chain/network.js';
import { VerifyError } from '../../src/chain/errors.js';

// Bitcoin's genesis header, assembled from its published fields.
const BTC_GENESIS =
  '01000000' +
  '0000000000000000000000000000000000000000000000000000000000000000' +
  '3ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a' +
  '29ab5f49' +
  'ffff001d' +
  '1dac2b7c';

describe('header codec on real Bitcoin headers', () => {
  it('decodes and hashes the genesis header', () => {
    const header = decodeHeader(fromHex(BTC_GENESIS));
    expect(header).toMatchObject({ version: 1, time: 1231006505, bits: 0x1d00ffff, nonce: 2083236893 });
    expect(toDisplayHex(header.merkleRoot)).toBe('4a5e1e4baab89f3a32518a88c31bc87f618f76673e2cc77ab2127b7afdeda33b');
    expect(toDisplayHex(headerHash(header))).toBe('000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
    expect(toHex(encodeHeader(header))).toBe(BTC_GENESIS);
    expect(hashMeetsTarget(headerHash(header), bitsToTarget(header.bits))).toBe(true);
  });

  it('hashes block 1 onto the genesis hash', () => {
    const header = {
      version: 1,
      prevHash: fromDisplayHex('000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f'),
      merkleRoot: fromDisplayHex('0e3e2357e806b6cdb1f70b54c3a3a17b6714ee1f0e68bebb44a74b1efd512098'),
      time: 1231469665,
      bits: 0x1d00ffff,
      nonce: 2573394689,
    };
    expect(toDisplayHex(headerHash(header))).toBe('00000000839a8e6886ab5951d76f411475428afc90947ee320161bbf18eb6048');
  });

  it('rebuilds block 100000: four-transaction Merkle root and header hash', () => {
    const txids = [
      '8c14f0db3df150123e6f3dbbf30f8b955a8249b62ac1d1ff16284aefa3d06d87',
      'fff2525b8931402dd09222c50775608f75787bd2b87e56995a7bdd30f79702c4',
      '6359f0868171b1d194cbee1af2f16ea598ae8fad666d9b012c8ed2b79a236ec4',
      'e9a66845e05d5abc0ad04ec80f774a7e585c6e8db975962d069a522137b80c1d',
    ].map(fromDisplayHex);
    const root = merkleRoot(txids);
    expect(toDisplayHex(root)).toBe('f3e94742aca4b5ef85488dc37c06c3282295ffec960994b2c0d5ac2a25a95766');
    for (let i = 0; i < 4; i++) expect(rootFromPath(txids[i]!, i, merklePath(txids, i))).toEqual(root);
    const header = {
      version: 1,
      prevHash: fromDisplayHex('000000000002d01c1fccc21636b607dfd930d31d01c3a62104612a1719011250'),
      merkleRoot: root,
      time: 1293623863,
      bits: 0x1b04864c,
      nonce: 274148111,
    };
    const hash = headerHash(header);
    expect(toDisplayHex(hash)).toBe('000000000003ba27aa200b1cecaad478d2b00432346c3f1f3986da1afd33e506');
    expect(hashMeetsTarget(hash, bitsToTarget(0x1b04864c))).toBe(true);
    expect(hashMeetsTarget(hash, bitsToTarget(0x1b04864c) >> 8n)).toBe(false);
  });

  it('rejects a header of the wrong length', () => {
    expect(() => decodeHeader(fromHex(BTC_GENESIS + '00'))).toThrow(VerifyError);
  });
});

describe('compact bits, target, work, difficulty', () => {
  it('matches Bitcoin for difficulty 1 and later retargets', () => {
    expect(bitsToTarget(0x1d00ffff)).toBe(0xffffn << 208n);
    expect(difficulty(bitsToTarget(0x1d00ffff))).toBe(1);
    // Block 32256, Bitcoin's first difficulty increase: 1.18290...
    expect(difficulty(bitsToTarget(0x1d00d86a))).toBeCloseTo(65535 / 55402, 9);
    // Block 100000's difficulty, as explorers show it.
    expect(difficulty(bitsToTarget(0x1b04864c))).toBeCloseTo(14484.1623612254, 6);
    expect(blockWork(bitsToTarget(0x1d00ffff))).toBe(0x100010001n);
  });

  it('round-trips canonical encodings and follows Bitcoin Core vectors', () => {
    for (const bits of [0x1d00ffff, 0x1d00d86a, 0x1b04864c, 0x1f0fffff, 0x1e0fffff, 0x207fffff]) {
      expect(targetToBits(bitsToTarget(bits))).toBe(bits);
    }
    expect(bitsToTarget(0x05009234)).toBe(0x92340000n);
    expect(bitsToTarget(0x01003456)).toBe(0n);
    expect(bitsToTarget(0x04123456)).toBe(0x12345600n);
    expect(targetToBits(0x80n)).toBe(0x02008000); // sign bit forces an extra byte
    expect(() => bitsToTarget(0x04923456)).toThrow(expect.objectContaining({ reason: 'bad-diffbits' }));
    expect(() => bitsToTarget(0xff123456)).toThrow(expect.objectContaining({ reason: 'bad-diffbits' }));
  });

  it('lays a target out as 32 little-endian bytes', () => {
    const bytes = targetToBytes(bitsToTarget(0x1d00ffff));
    expect(bytes.length).toBe(32);
    expect(toHex(bytes)).toBe('0000000000000000000000000000000000000000000000000000ffff00000000');
  });
});

describe('networks', () => {
  it('recomputes each fixed genesis block from its parameters', () => {
    for (const network of Object.values(networks)) {
      const genesis = network.genesis;
      expect(genesis.header.merkleRoot).toEqual(computeMerkleRoot(genesis.txs));
      expect(hashMeetsTarget(headerHash(genesis.header), network.powLimit)).toBe(true);
      expect(decodeBlock(encodeBlock(genesis))).toEqual(genesis);
    }
    expect(genesisHeaderHex(networks.test)).toBe(
      '010000000000000000000000000000000000000000000000000000000000000000000000dd466556cac72da6a2542fe4ee37fa2c1371c1b7c6a91a4d4d93210b2399e35400b95569ffff0f1f8e190000',
    );
    expect(networks.test.genesisHash).toBe('0009fa6ed6f424eb16e6a6abdc31dbf65475d73d2b307daed05d229c458cc60c');
    expect(networks.dev.genesisHash).toBe('0000080ccc2b3910d1542802bbaf5dd96008431364b6e25859f892f6d3c79f8b');
  });

  it('refuses parameters that do not produce the fixed genesis header', () => {
    const { genesis: _g, genesisHash: _h, powLimit: _p, ...params } = networks.test;
    expect(() =>
      defineNetwork({ ...params, genesisTime: 1767225601, genesisNonce: 6542, genesisHeader: genesisHeaderHex(networks.test) }),
    ).toThrow(/genesis/);
    expect(params.initialSubsidy).toBe(50 * COIN);
  });

  it('hashes with node:crypto SHA-256d', () => {
    expect(toHex(sha256d(new Uint8Array(0)))).toBe('5df6e0e2761359d30a8275058e299fcc0381534545f55cf43e41983f5d4c9456');
  });
});
