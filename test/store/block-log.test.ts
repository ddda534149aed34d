import { afterAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { appendFileSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { BlockLog, type LoggedBlock } from '../../src/store/block-log.js';
import { FILE_HEADER_BYTES } from '../../src/store/log-file-header.js';
import { StoreCorruptError } from '../../src/store/errors.js';
import { encodeFrame, FRAME_HEADER_BYTES } from '../../src/store/frame.js';
import { removeTempDirs, tempDir } from '../chain/helpers.js';
import { cutFiles, flipBit, logFile as file } from './log-files.js';

afterAll(removeTempDirs);

const TAG = 0x1234abcd;
const payloads = [Buffer.from('first block'), Buffer.alloc(300, 7), Buffer.from('third')];

async function openLog(dir: string, tag = TAG): Promise<{ log: BlockLog; blocks: LoggedBlock[] }> {
  const blocks: LoggedBlock[] = [];
  const log = await BlockLog.open(dir, tag, (b) => blocks.push(b));
  return { log, blocks };
}

async function logWith(items: Buffer[]): Promise<{ dir: string; offsets: number[] }> {
  const dir = tempDir();
  const { log } = await openLog(dir);
  const offsets: number[] = [];
  for (const p of items) offsets.push(await log.append(p));
  await log.close();
  return { dir, offsets };
}

const texts = (blocks: LoggedBlock[]) => blocks.map((b) => Buffer.from(b.payload).toString());

describe('BlockLog', () => {
  it('replays what it appended, in order, and reads back by offset', async () => {
    const { dir, offsets } = await logWith(payloads);
    expect(offsets[0]).toBe(FILE_HEADER_BYTES);
    const { log, blocks } = await openLog(dir);
    expect(blocks.map((b) => Buffer.from(b.payload))).toEqual(payloads);
    expect(blocks.map((b) => b.offset)).toEqual(offsets);
    expect(Buffer.from(log.read(offsets[1]!))).toEqual(payloads[1]);
    expect(log.recovery).toEqual({ truncatedBytes: 0 });
    expect(cutFiles(dir)).toEqual([]);
    await log.close();
  });

  it('gives every frame header its own check: a flipped length is damage at once, not a short write', async () => {
    const frame = encodeFrame(Buffer.from('payload'));
    expect(frame.length).toBe(FRAME_HEADER_BYTES + 7);
    const { dir, offsets } = await logWith(payloads);
    const before = readFileSync(file(dir));
    flipBit(file(dir), offsets[1]! + 4, 4); // the length of the middle frame, still under the 64 MiB cap
    const error = await openLog(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect(error).toMatchObject({ offset: offsets[1], intactAt: offsets[2] });
    expect((error as Error).message).toMatch(/header fails its check/);
    before[offsets[1]! + 4]! ^= 1 << 4;
    expect(readFileSync(file(dir))).toEqual(before); // untouched
  });

  it('cuts a torn last frame, keeps the cut bytes aside, reports it, and appends after it', async () => {
    const { dir, offsets } = await logWith(payloads);
    const size = statSync(file(dir)).size;
    const tail = readFileSync(file(dir)).subarray(offsets[2]!, size - 3);
    truncateSync(file(dir), size - 3);
    const { log, blocks } = await openLog(dir);
    expect(blocks).toHaveLength(2);
    expect(log.recovery.truncatedBytes).toBe(FRAME_HEADER_BYTES + payloads[2]!.length - 3);
    expect(log.recovery.cut).toMatchObject({ offset: offsets[2], bytes: tail.length, file: `${file(dir)}.cut-${offsets[2]}` });
    expect(readFileSync(`${file(dir)}.cut-${offsets[2]}`)).toEqual(tail);
    await log.append(Buffer.from('after'));
    await log.close();
    const again = await openLog(dir);
    expect(texts(again.blocks)).toEqual(['first block', payloads[1]!.toString(), 'after']);
    expect(again.log.recovery.cut).toBeUndefined();
    await again.log.close();
  });

  it('treats a half-written frame header and zero fill at the end as torn, and keeps each cut', async () => {
    const { dir, offsets } = await logWith(payloads.slice(0, 1));
    const end = offsets[0]! + FRAME_HEADER_BYTES + payloads[0]!.length;
    appendFileSync(file(dir), Buffer.from([0x43, 0x43, 0x42])); // 3 bytes of a frame magic
    let opened = await openLog(dir);
    expect(opened.blocks).toHaveLength(1);
    expect(opened.log.recovery.truncatedBytes).toBe(3);
    await opened.log.close();
    appendFileSync(file(dir), Buffer.alloc(4096));
    opened = await openLog(dir);
    expect(opened.blocks).toHaveLength(1);
    expect(opened.log.recovery.truncatedBytes).toBe(4096);
    await opened.log.close();
    // Both cuts were at the same offset: the second never overwrites the first.
    const kept = cutFiles(dir);
    expect(kept).toHaveLength(2);
    expect(kept.map((f) => readFileSync(f).length).sort((a, b) => a - b)).toEqual([3, 4096]);
    expect(kept.every((f) => f.startsWith(`${file(dir)}.cut-${end}`))).toBe(true);
  });

  it('cuts garbage tails of 12 bytes or more (random bytes; a torn frame then zeros) and keeps them aside', async () => {
    const { dir, offsets } = await logWith(payloads);
    const end = statSync(file(dir)).size;
    const garbage = randomBytes(37);
    appendFileSync(file(dir), garbage);
    let opened = await openLog(dir);
    expect(texts(opened.blocks)).toEqual(payloads.map(String));
    expect(opened.log.recovery.cut).toMatchObject({ offset: end, bytes: 37 });
    expect(readFileSync(opened.log.recovery.cut!.file)).toEqual(garbage);
    expect(statSync(file(dir)).size).toBe(end);
    await opened.log.close();

    const torn = Buffer.concat([encodeFrame(Buffer.alloc(300, 9)).subarray(0, 50), Buffer.alloc(4096)]);
    appendFileSync(file(dir), torn);
    opened = await openLog(dir);
    expect(opened.blocks.map((b) => b.offset)).toEqual(offsets);
    expect(opened.log.recovery.cut).toMatchObject({ offset: end, bytes: torn.length });
    expect(readFileSync(opened.log.recovery.cut!.file)).toEqual(torn);
    await opened.log.close();
  });

  it('cuts a complete last frame with a bad byte only after copying it aside; a bad middle frame stops the node', async () => {
    const { dir, offsets } = await logWith(payloads);
    flipBit(file(dir), offsets[2]! + FRAME_HEADER_BYTES, 7);
    const lastFrame = readFileSync(file(dir)).subarray(offsets[2]!);
    const opened = await openLog(dir);
    expect(opened.blocks).toHaveLength(2);
    expect(opened.log.recovery.cut).toMatchObject({ offset: offsets[2], bytes: lastFrame.length, reason: expect.stringMatching(/checksum/) });
    expect(readFileSync(opened.log.recovery.cut!.file)).toEqual(lastFrame);
    await opened.log.close();

    const mid = await logWith(payloads);
    flipBit(file(mid.dir), mid.offsets[1]! + FRAME_HEADER_BYTES + 10);
    const error = await openLog(mid.dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect(error).toMatchObject({ offset: mid.offsets[1], intactAt: mid.offsets[2] });
    expect((error as Error).message).toMatch(new RegExp(`at byte ${mid.offsets[1]}: frame fails its checksum`));
    expect((error as Error).message).toMatch(/untouched/);
    expect((error as Error).message).toContain(`truncate -s ${mid.offsets[1]}`);
    expect(cutFiles(mid.dir)).toEqual([]);
  });

  it('stops on a damaged frame magic in the middle', async () => {
    const { dir, offsets } = await logWith(payloads);
    const damaged = readFileSync(file(dir));
    damaged.writeUInt32LE(0xdeadbeef, offsets[1]!);
    writeFileSync(file(dir), damaged);
    await expect(openLog(dir)).rejects.toThrow(/bad frame magic/);
  });

  it('refuses a log of another network or another format, saying the file is untouched', async () => {
    const { dir } = await logWith(payloads);
    await expect(openLog(dir, TAG + 1)).rejects.toThrow(/another network.*untouched/);
    const other = tempDir();
    writeFileSync(file(other), 'hello, this is not a block log at all');
    await expect(openLog(other)).rejects.toThrow(/not a carechain block log.*untouched/);
    expect(readFileSync(file(other), 'utf8')).toBe('hello, this is not a block log at all');
  });
});
