import { afterAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { existsSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { BlockLog, type LoggedBlock } from '../../src/store/block-log.js';
import { StoreCorruptError } from '../../src/store/errors.js';
import { FRAME_HEADER_BYTES } from '../../src/store/frame.js';
import { removeTempDirs, tempDir } from '../chain/helpers.js';
import { cutFiles, logFile, writeV1Log } from './log-files.js';

afterAll(removeTempDirs);

const TAG = 0x0badf00d;

type Damage =
  | { kind: 'flip'; at: number; bit: number }
  | { kind: 'overwrite'; at: number; bytes: Uint8Array }
  | { kind: 'truncate'; at: number }
  | { kind: 'append'; bytes: Uint8Array };

const damage: fc.Arbitrary<Damage> = fc.oneof(
  fc.record({ kind: fc.constant('flip' as const), at: fc.nat(), bit: fc.integer({ min: 0, max: 7 }) }),
  fc.record({ kind: fc.constant('overwrite' as const), at: fc.nat(), bytes: fc.uint8Array({ minLength: 1, maxLength: 40 }) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({
    kind: fc.constant('append' as const),
    bytes: fc.oneof(fc.uint8Array({ minLength: 1, maxLength: 600 }), fc.integer({ min: 1, max: 5000 }).map((n) => new Uint8Array(n))),
  }),
);

function applyDamage(original: Buffer, d: Damage): Buffer {
  const out = Buffer.from(original);
  switch (d.kind) {
    case 'flip':
      out[d.at % out.length]! ^= 1 << d.bit;
      return out;
    case 'overwrite': {
      const at = d.at % out.length;
      const grown = Buffer.concat([out, Buffer.alloc(Math.max(0, at + d.bytes.length - out.length))]);
      grown.set(d.bytes, at);
      return grown;
    }
    case 'truncate':
      return out.subarray(0, d.at % out.length);
    case 'append':
      return Buffer.concat([out, d.bytes]);
  }
}

function firstDifference(a: Buffer, b: Buffer): number | undefined {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) if (a[i] !== b[i]) return i;
  return a.length === b.length ? undefined : n;
}

/** A log of `payloads` in the given format, and each frame's [start, end). */
async function writeLog(format: 1 | 2, payloads: Uint8Array[]): Promise<{ dir: string; frames: [number, number][] }> {
  const dir = tempDir();
  if (format === 1) {
    const { offsets, ends } = writeV1Log(dir, TAG, payloads);
    return { dir, frames: offsets.map((o, i) => [o, ends[i]!]) };
  }
  const log = await BlockLog.open(dir, TAG, () => undefined);
  const frames: [number, number][] = [];
  for (const p of payloads) {
    const offset = await log.append(p);
    frames.push([offset, offset + FRAME_HEADER_BYTES + p.length]);
  }
  await log.close();
  return { dir, frames };
}

describe('BlockLog under random damage', () => {
  for (const format of [1, 2] as const) {
    it(`never loses an intact block silently (format ${format}): it refuses with the offset, or keeps every block before the damage and the cut bytes aside`, async () => {
      const seen = { refused: 0, cut: 0, clean: 0 };
      await fc.assert(
        fc.asyncProperty(fc.array(fc.uint8Array({ minLength: 1, maxLength: 400 }), { minLength: 1, maxLength: 10 }), damage, async (payloads, d) => {
          const { dir, frames } = await writeLog(format, payloads);
          const original = readFileSync(logFile(dir));
          const damaged = applyDamage(original, d);
          writeFileSync(logFile(dir), damaged);
          const at = firstDifference(original, damaged);
          // The damaged frame starts where the last frame wholly before the damage ends.
          const before = at === undefined ? frames.length : frames.filter(([, end]) => end <= at).length;
          const damageOffset = before === 0 ? 16 : frames[before - 1]![1];
          const blocks: LoggedBlock[] = [];
          const opened = await BlockLog.open(dir, TAG, (b) => blocks.push({ offset: b.offset, payload: Buffer.from(b.payload) })).catch((e: unknown) => e);

          if (!(opened instanceof BlockLog)) {
            expect(opened).toBeInstanceOf(StoreCorruptError);
            expect(readFileSync(logFile(dir))).toEqual(damaged); // untouched
            expect(cutFiles(dir)).toEqual([]);
            expect(existsSync(`${logFile(dir)}.migrating`)).toBe(false);
            if (at !== undefined && at >= 16) expect((opened as StoreCorruptError).offset).toBe(damageOffset);
            seen.refused++;
            rmSync(dir, { recursive: true, force: true });
            return;
          }
          await opened.close();
          if (at !== undefined && at < 16) expect(damaged.length).toBeLessThan(16); // a torn file header: an empty log, nothing to keep
          // Every block before the damage survives, in order.
          expect(blocks.map((b) => Buffer.from(b.payload))).toEqual(payloads.slice(0, before).map((p) => Buffer.from(p)));
          // No intact frame after the damage was cut: it would have made open refuse.
          for (const [start, end] of frames.slice(before)) {
            if (start >= damageOffset && end <= damaged.length) expect(damaged.subarray(start, end)).not.toEqual(original.subarray(start, end));
          }
          // Whatever was cut is kept aside, byte for byte, and named in the report.
          const cut = damaged.length >= 16 ? damaged.subarray(damageOffset) : Buffer.alloc(0);
          if (cut.length > 0) {
            expect(opened.recovery.cut).toMatchObject({ offset: damageOffset, bytes: cut.length });
            expect(cutFiles(dir)).toEqual([opened.recovery.cut!.file]);
            expect(readFileSync(opened.recovery.cut!.file)).toEqual(cut);
            seen.cut++;
          } else {
            seen.clean++;
            expect(opened.recovery.cut).toBeUndefined();
            expect(cutFiles(dir)).toEqual([]);
          }
          // The repaired log opens clean.
          const again = await BlockLog.open(dir, TAG, () => undefined);
          expect(again.recovery.cut).toBeUndefined();
          await again.close();
          rmSync(dir, { recursive: true, force: true });
        }),
        { numRuns: 300 },
      );
      // The runs met every outcome: refusals, cuts and clean opens.
      expect(seen.refused).toBeGreaterThan(20);
      expect(seen.cut).toBeGreaterThan(20);
      expect(seen.clean).toBeGreaterThan(0);
    }, 120_000);
  }
});
