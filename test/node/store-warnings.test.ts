import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { readFileSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Chain } from '../../src/chain/chain.js';
import { writeKeyFile } from '../../src/chain/key-file.js';
import { generateKeyPair } from '../../src/chain/keys.js';
import { buildTransfer } from '../../src/chain/signing.js';
import { encodeTx } from '../../src/chain/tx.js';
import { toHex } from '../../src/chain/hash.js';
import { DEFAULT_CONFIG, type NodeConfig } from '../../src/node/config.js';
import { startNode, type RunningNode } from '../../src/node/full-node.js';
import { StoreCorruptError } from '../../src/store/errors.js';
import { FRAME_HEADER_BYTES } from '../../src/store/frame.js';
import { mineMany, NOW, removeTempDirs, tempDir, testNet } from '../chain/helpers.js';
import { flipBit } from '../store/log-files.js';
import { memoryLogger } from './fakes.js';

/** What startNode says about its block log: a node on the test network, not mining, on a free loopback port. */
const config = (dataDir: string): NodeConfig => ({
  ...DEFAULT_CONFIG, dataDir, port: 0, threads: 1, network: 'test', mine: false, coinbase: undefined, token: undefined, rateLimit: 0, stratum: false, p2p: false,
});

let node: RunningNode | undefined;
afterEach(async () => {
  await node?.close();
  node = undefined;
});
afterAll(removeTempDirs);

const storeWarnings = (lines: string[]) => lines.filter((l) => l.startsWith('warn store:'));

/** A data dir holding a chain of `count` blocks, each block's frame offset by height and hash by height. */
async function usedDataDir(count: number): Promise<{ dir: string; offsets: number[]; hashes: string[] }> {
  const dir = tempDir();
  const chain = await Chain.open({ dataDir: dir, network: testNet, now: () => NOW });
  await mineMany(chain, count);
  const hashes = Array.from({ length: count + 1 }, (_, h) => chain.blockByHeight(h)!.hash);
  await chain.close();
  const bytes = readFileSync(join(dir, 'blocks.log'));
  const offsets = [-1];
  for (let at = 16; at < bytes.length; at += FRAME_HEADER_BYTES + bytes.readUInt32LE(at + 4)) offsets.push(at);
  return { dir, offsets, hashes };
}

describe('startNode and its block log', () => {
  it('starts a fresh data dir without a store warning', async () => {
    const log = memoryLogger();
    node = await startNode(config(tempDir()), log);
    expect(storeWarnings(log.lines)).toEqual([]);
  });

  it('warns loudly when the block log is empty but the data dir has a node key and a journal, naming the journal it keeps', async () => {
    const dir = tempDir();
    const owner = generateKeyPair();
    writeKeyFile(join(dir, 'node-key.json'), owner);
    const tx = buildTransfer({ network: testNet, privateKey: owner.privateKey, sequence: 0, fee: 100, recipient: '22'.repeat(32), amount: 5 });
    writeFileSync(join(dir, 'mempool.journal'), `${toHex(encodeTx(tx))}\n`);
    const log = memoryLogger();
    node = await startNode(config(dir), log);
    expect(node.chain.tip().height).toBe(0);
    const [warning, ...rest] = storeWarnings(log.lines);
    expect(rest).toEqual([]);
    expect(warning).toContain(`${join(dir, 'blocks.log')} holds no blocks`);
    expect(warning).toContain('node-key.json');
    expect(warning).toContain(`${join(dir, 'mempool.journal')} (1 line) is kept`);
    // It is said before the journal is replayed against the empty chain.
    expect(log.lines.indexOf(warning!)).toBeLessThan(log.lines.findIndex((l) => l.startsWith('info mempool:')));
  });

  it('warns the same when the log was cut to nothing', async () => {
    const { dir } = await usedDataDir(2);
    truncateSync(join(dir, 'blocks.log'), 0);
    writeKeyFile(join(dir, 'node-key.json'), generateKeyPair());
    const log = memoryLogger();
    node = await startNode(config(dir), log);
    expect(storeWarnings(log.lines)).toEqual([expect.stringMatching(/holds no blocks.*was used before.*node-key\.json/)]);
  });

  it('warns what it cut, where the copy is, and which block the bytes hold', async () => {
    const { dir, offsets, hashes } = await usedDataDir(3);
    flipBit(join(dir, 'blocks.log'), offsets[3]! + FRAME_HEADER_BYTES + 100);
    const bytes = readFileSync(join(dir, 'blocks.log')).length - offsets[3]!;
    const log = memoryLogger();
    node = await startNode(config(dir), log);
    expect(node.chain.tip().height).toBe(2);
    const warnings = storeWarnings(log.lines);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toContain(`cut ${bytes} bytes at byte ${offsets[3]} of ${join(dir, 'blocks.log')}`);
    expect(warnings[0]).toContain(`kept in ${join(dir, 'blocks.log')}.cut-${offsets[3]}`);
    expect(warnings[0]).toContain(`block 3 ${hashes[3]}`);
  });

  it('refuses to start on damage in the middle, with the offset and what to do', async () => {
    const { dir, offsets } = await usedDataDir(4);
    flipBit(join(dir, 'blocks.log'), offsets[2]! + 6, 7);
    const error = await startNode(config(dir), memoryLogger()).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect((error as Error).message).toMatch(new RegExp(`corrupt at byte ${offsets[2]}: .*untouched.*truncate -s ${offsets[2]}`));
  });
});
