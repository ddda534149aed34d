import { afterAll, describe, expect, it } from 'vitest';
import { appendFileSync, readFileSync, statSync, truncateSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { BlockLog, FILE_HEADER_BYTES, type LoggedBlock } from '../../src/store/block-log.js';
import { StoreCorruptError } from '../../src/store/errors.js';
import { FRAME_HEADER_BYTES } from '../../src/store/frame.js';
import { Chain } from '../../src/chain/chain.js';
import { mineMany, NOW, removeTempDirs, tempDir, testNet } from '../chain/helpers.js';

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

const file = (dir: string) => join(dir, 'blocks.log');

describe('BlockLog', () => {
  it('replays what it appended, in order, and reads back by offset', async () => {
    const { dir, offsets } = await logWith(payloads);
    expect(offsets[0]).toBe(FILE_HEADER_BYTES);
    const { log, blocks } = await openLog(dir);
    expect(blocks.map((b) => Buffer.from(b.payload))).toEqual(payloads);
    expect(blocks.map((b) => b.offset)).toEqual(offsets);
    expect(Buffer.from(log.read(offsets[1]!))).toEqual(payloads[1]);
    expect(log.recovery.truncatedBytes).toBe(0);
    await log.close();
  });

  it('cuts a torn last frame, reports it, and appends after it', async () => {
    const { dir } = await logWith(payloads);
    const size = statSync(file(dir)).size;
    truncateSync(file(dir), size - 3);
    const { log, blocks } = await openLog(dir);
    expect(blocks).toHaveLength(2);
    expect(log.recovery.truncatedBytes).toBe(FRAME_HEADER_BYTES + payloads[2]!.length - 3);
    await log.append(Buffer.from('after'));
    await log.close();
    const again = await openLog(dir);
    expect(again.blocks.map((b) => Buffer.from(b.payload).toString())).toEqual(['first block', payloads[1]!.toString(), 'after']);
    await again.log.close();
  });

  it('treats a half-written frame header and zero fill at the end as torn', async () => {
    const { dir } = await logWith(payloads.slice(0, 1));
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
  });

  it('treats a last frame failing its checksum as torn, but a middle one as corruption, naming the offset', async () => {
    const { dir, offsets } = await logWith(payloads);
    const bytes = readFileSync(file(dir));
    const lastCorrupt = Buffer.from(bytes);
    lastCorrupt[offsets[2]! + FRAME_HEADER_BYTES] ^= 0xff;
    writeFileSync(file(dir), lastCorrupt);
    const opened = await openLog(dir);
    expect(opened.blocks).toHaveLength(2);
    await opened.log.close();

    const mid = await logWith(payloads);
    const damaged = readFileSync(file(mid.dir));
    damaged[mid.offsets[1]! + FRAME_HEADER_BYTES + 10] ^= 0x01;
    writeFileSync(file(mid.dir), damaged);
    const error = await openLog(mid.dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect(error).toMatchObject({ offset: mid.offsets[1] });
    expect((error as Error).message).toMatch(new RegExp(`at byte ${mid.offsets[1]}: frame fails its checksum`));
  });

  it('stops on a damaged frame header in the middle', async () => {
    const { dir, offsets } = await logWith(payloads);
    const damaged = readFileSync(file(dir));
    damaged.writeUInt32LE(0xdeadbeef, offsets[1]!);
    writeFileSync(file(dir), damaged);
    await expect(openLog(dir)).rejects.toThrow(/bad frame magic/);
  });

  it('refuses a log of another network or another format', async () => {
    const { dir } = await logWith(payloads);
    await expect(openLog(dir, TAG + 1)).rejects.toThrow(/another network/);
    const other = tempDir();
    writeFileSync(file(other), 'hello, this is not a block log at all');
    await expect(openLog(other)).rejects.toThrow(/not a carechain block log/);
  });
});

describe('Chain over a damaged log', () => {
  it('stops with the offset instead of losing blocks silently', async () => {
    const dir = tempDir();
    const chain = await Chain.open({ dataDir: dir, network: testNet, now: () => NOW });
    await mineMany(chain, 4);
    await chain.close();
    const bytes = readFileSync(file(dir));
    bytes[FILE_HEADER_BYTES + FRAME_HEADER_BYTES + 40] ^= 0x80; // inside the first block
    writeFileSync(file(dir), bytes);
    await expect(Chain.open({ dataDir: dir, network: testNet, now: () => NOW })).rejects.toThrow(/corrupt at byte 16/);
  });
});
