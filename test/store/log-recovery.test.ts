import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, readFileSync, truncateSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { BlockLog } from '../../src/store/block-log.js';
import { StoreMigrationError } from '../../src/store/errors.js';
import { encodeFrame, FRAME_HEADER_BYTES } from '../../src/store/frame.js';
import { findIntactFrame, SCAN_CHUNK } from '../../src/store/log-recovery.js';
import { removeTempDirs, tempDir } from '../chain/helpers.js';
import { cutFiles, logFile, writeV1Log } from './log-files.js';

afterAll(removeTempDirs);

const TAG = 0x5eed;
const readOf = (bytes: Buffer) => (pos: number, len: number) => bytes.subarray(pos, Math.min(bytes.length, pos + len));

describe('the forward scan after damage', () => {
  it('finds an intact frame wherever it sits, across the edges of its read chunks', () => {
    const frame = encodeFrame(Buffer.from('an intact block after the damage'));
    for (const at of [0, 1, SCAN_CHUNK - 4, SCAN_CHUNK - 3, SCAN_CHUNK - 1, SCAN_CHUNK, SCAN_CHUNK + 1, 2 * SCAN_CHUNK - 2]) {
      const bytes = Buffer.concat([Buffer.alloc(at, 0x5a), frame, Buffer.alloc(7, 0x5a)]);
      expect(findIntactFrame(readOf(bytes), 0, bytes.length), `frame at ${at}`).toBe(at);
    }
  });

  it('finds nothing in zero fill, random bytes, or a frame whose payload does not match its checksum', () => {
    const broken = encodeFrame(Buffer.from('rotten payload'));
    broken[FRAME_HEADER_BYTES + 2] ^= 1;
    for (const bytes of [Buffer.alloc(SCAN_CHUNK + 100), randomBytes(100_000), Buffer.concat([randomBytes(50), broken, randomBytes(50)])]) {
      expect(findIntactFrame(readOf(bytes), 0, bytes.length)).toBeUndefined();
    }
  });

  it('cuts a torn last frame even when its payload carries a whole frame (a transaction can hold any bytes)', async () => {
    const dir = tempDir();
    const log = await BlockLog.open(dir, TAG, () => undefined);
    await log.append(Buffer.from('the block before'));
    const hostile = Buffer.concat([Buffer.alloc(40, 1), encodeFrame(Buffer.from('a frame inside a locator')), Buffer.alloc(40, 2)]);
    const offset = await log.append(hostile);
    await log.close();
    truncateSync(logFile(dir), offset + FRAME_HEADER_BYTES + hostile.length - 10); // torn after the embedded frame
    const blocks: string[] = [];
    const reopened = await BlockLog.open(dir, TAG, (b) => blocks.push(Buffer.from(b.payload).toString()));
    expect(blocks).toEqual(['the block before']);
    expect(reopened.recovery.cut).toMatchObject({ offset, bytes: FRAME_HEADER_BYTES + hostile.length - 10 });
    await reopened.close();
  });
});

describe('rewriting a format-1 log', () => {
  it('says how to go on, the log untouched, when the rewrite cannot be written', async () => {
    const dir = tempDir();
    writeV1Log(dir, TAG, [Buffer.from('one'), Buffer.from('two')]);
    const before = readFileSync(logFile(dir));
    mkdirSync(`${logFile(dir)}.migrating`); // the temp file cannot be created
    const error = await BlockLog.open(dir, TAG, () => undefined).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreMigrationError);
    expect((error as Error).message).toMatch(/untouched, still in its old format; free room for a copy beside it \(\d+ bytes plus 4 a block\) and start again/);
    expect(readFileSync(logFile(dir))).toEqual(before);
    expect(cutFiles(dir)).toEqual([]);
  });
});
