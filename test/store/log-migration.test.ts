import { afterAll, describe, expect, it } from 'vitest';
import { appendFileSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { Chain } from '../../src/chain/chain.js';
import { BlockLog } from '../../src/store/block-log.js';
import { StoreCorruptError } from '../../src/store/errors.js';
import { mineMany, NOW, removeTempDirs, tempDir, testNet } from '../chain/helpers.js';
import { cutFiles, flipBit, logFile, writeV1Log } from './log-files.js';

afterAll(removeTempDirs);

const open = (dataDir: string) => Chain.open({ dataDir, network: testNet, now: () => NOW });

/** The blocks of a fresh chain of `count` blocks, written by hand as a format-1 log (the format before this one). */
async function v1ChainLog(count: number): Promise<{ dir: string; tip: string; offsets: number[]; ends: number[] }> {
  const made = tempDir();
  const chain = await open(made);
  await mineMany(chain, count);
  const tip = chain.tip().hash;
  await chain.close();
  const tag = readFileSync(logFile(made)).readUInt32LE(12);
  const payloads: Uint8Array[] = [];
  const log = await BlockLog.open(made, tag, (b) => payloads.push(Buffer.from(b.payload)));
  await log.close();
  const dir = tempDir();
  return { dir, tip, ...writeV1Log(dir, tag, payloads) };
}

describe('a log in format 1', () => {
  it('opens: rewritten once in the current format, said so in the recovery report, every block kept', async () => {
    const { dir, tip } = await v1ChainLog(10);
    let chain = await open(dir);
    expect(chain.tip()).toMatchObject({ height: 10, hash: tip });
    expect(chain.recovery.migrated).toEqual({ fromVersion: 1, frames: 10 });
    expect(readFileSync(logFile(dir)).readUInt32LE(8)).toBe(2);
    expect(readdirSync(dir).sort()).toEqual(['blocks.log']); // no temp file left
    await mineMany(chain, 2);
    await chain.close();
    chain = await open(dir);
    expect(chain.tip().height).toBe(12);
    expect(chain.recovery.migrated).toBeUndefined();
    await chain.close();
  });

  it('cuts a torn format-1 tail aside before rewriting', async () => {
    const { dir, tip, ends } = await v1ChainLog(3);
    const garbage = Buffer.from('CCBK\x00\x01\x00\x00 and the rest of a frame never arrived');
    appendFileSync(logFile(dir), garbage);
    const chain = await open(dir);
    expect(chain.tip()).toMatchObject({ height: 3, hash: tip });
    expect(chain.recovery.cut).toMatchObject({ offset: ends[2], bytes: garbage.length });
    expect(readFileSync(chain.recovery.cut!.file)).toEqual(garbage);
    expect(chain.recovery.migrated).toEqual({ fromVersion: 1, frames: 3 });
    await chain.close();
  });

  it('refuses a format-1 log with a flipped length in the middle, untouched and still in format 1', async () => {
    const { dir, offsets } = await v1ChainLog(6);
    flipBit(logFile(dir), offsets[2]! + 6, 7); // +8 MiB: past the end of the file
    const before = readFileSync(logFile(dir));
    const error = await open(dir).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(StoreCorruptError);
    expect(error).toMatchObject({ offset: offsets[2], intactAt: offsets[3] });
    expect(readFileSync(logFile(dir))).toEqual(before);
    expect(readdirSync(dir)).toEqual(['blocks.log']);
    expect(cutFiles(dir)).toEqual([]);
  });

  it('finishes a migration that a crash interrupted (a stale temp file is replaced)', async () => {
    const { dir, tip } = await v1ChainLog(4);
    appendFileSync(`${logFile(dir)}.migrating`, Buffer.from('half of an earlier rewrite'));
    const chain = await open(dir);
    expect(chain.tip()).toMatchObject({ height: 4, hash: tip });
    expect(readdirSync(dir)).toEqual(['blocks.log']);
    await chain.close();
    rmSync(dir, { recursive: true, force: true });
  });
});
