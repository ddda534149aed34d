import { afterAll, describe, expect, it } from 'vitest';
import { readFileSync, statSync, truncateSync } from 'node:fs';
import { Chain } from '../../src/chain/chain.js';
import { BlockLog } from '../../src/store/block-log.js';
import { StoreCorruptError } from '../../src/store/errors.js';
import { FRAME_HEADER_BYTES } from '../../src/store/frame.js';
import { mineMany, NOW, removeTempDirs, tempDir, testNet } from '../chain/helpers.js';
import { cutFiles, flipBit, logFile } from './log-files.js';

afterAll(removeTempDirs);

const open = (dataDir: string) => Chain.open({ dataDir, network: testNet, now: () => NOW });

/** A chain of `count` blocks on disk, and each block's frame offset by height (1-based). */
async function chainOnDisk(count: number): Promise<{ dir: string; offsets: number[]; hashes: string[] }> {
  const dir = tempDir();
  const chain = await open(dir);
  await mineMany(chain, count);
  const hashes = [chain.tip().hash];
  for (let h = 1; h <= count; h++) hashes[h] = chain.blockByHeight(h)!.hash;
  await chain.close();
  const offsets: number[] = [];
  const tag = readFileSync(logFile(dir)).readUInt32LE(12);
  const log = await BlockLog.open(dir, tag, (b) => offsets.push(b.offset));
  await log.close();
  return { dir, offsets: [-1, ...offsets], hashes };
}

describe('Chain over a damaged log', () => {
  it('refuses, with the offset, a middle frame whose length was flipped past the end of the file; nothing after it is lost', async () => {
    const { dir, offsets, hashes } = await chainOnDisk(100);
    const before = readFileSync(logFile(dir));
    // Bit 23 of block 50's length: +8 MiB, past the end of the file but under the 64 MiB cap.
    flipBit(logFile(dir), offsets[50]! + 4 + 2, 7);
    const error = await open(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect(error).toMatchObject({ offset: offsets[50], intactAt: offsets[51] });
    expect((error as Error).message).toMatch(new RegExp(`corrupt at byte ${offsets[50]}: .*untouched`));
    expect(statSync(logFile(dir)).size).toBe(before.length);
    expect(cutFiles(dir)).toEqual([]);
    // Repairing the one bit gives back all 100 blocks: the refusal kept them.
    flipBit(logFile(dir), offsets[50]! + 4 + 2, 7);
    expect(readFileSync(logFile(dir))).toEqual(before);
    const chain = await open(dir);
    expect(chain.tip()).toMatchObject({ height: 100, hash: hashes[100] });
    await chain.close();
  });

  it('stops with the offset on damage inside the first block', async () => {
    const { dir } = await chainOnDisk(4);
    flipBit(logFile(dir), 16 + FRAME_HEADER_BYTES + 40, 7);
    await expect(open(dir)).rejects.toThrow(/corrupt at byte 16/);
  });

  it('cuts a complete last block with one bad byte, keeps its bytes aside and names the block', async () => {
    const { dir, offsets, hashes } = await chainOnDisk(5);
    flipBit(logFile(dir), offsets[5]! + FRAME_HEADER_BYTES + 100, 2); // in the coinbase recipient: the header still names it
    const frame = readFileSync(logFile(dir)).subarray(offsets[5]!);
    const chain = await open(dir);
    expect(chain.tip().height).toBe(4);
    const cut = chain.recovery.cut!;
    expect(cut).toMatchObject({ offset: offsets[5], bytes: frame.length, file: `${logFile(dir)}.cut-${offsets[5]}`, block: { hash: hashes[5], height: 5 } });
    expect(readFileSync(cut.file)).toEqual(frame);
    expect(statSync(logFile(dir)).size).toBe(offsets[5]);
    await chain.close();
  });

  it('names the block a torn tail held, from the bytes that reached the disk', async () => {
    const { dir, offsets, hashes } = await chainOnDisk(3);
    truncateSync(logFile(dir), offsets[3]! + FRAME_HEADER_BYTES + 100); // the header and the coinbase's height, not the whole block
    const chain = await open(dir);
    expect(chain.tip().height).toBe(2);
    expect(chain.recovery.cut).toMatchObject({ offset: offsets[3], bytes: FRAME_HEADER_BYTES + 100, block: { hash: hashes[3], height: 3 } });
    await chain.close();
  });
});
