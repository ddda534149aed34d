import { readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { crc32 } from 'node:zlib';

/**
 * Block-log fixtures built from the documented byte layout, not from the code under test: a log in
 * format 1 (the format before frame headers carried their own check), and the side files a cut leaves.
 */
export const logFile = (dir: string): string => join(dir, 'blocks.log');

/** A format-1 log: "CCHAINLG" | u32 1 | u32 network tag, then magic "CCBK" | u32 length | u32 CRC-32 | payload. */
export function writeV1Log(dir: string, tag: number, payloads: Uint8Array[]): { offsets: number[]; ends: number[] } {
  const head = Buffer.alloc(16);
  head.write('CCHAINLG', 0, 'ascii');
  head.writeUInt32LE(1, 8);
  head.writeUInt32LE(tag >>> 0, 12);
  const parts: Buffer[] = [head];
  const offsets: number[] = [];
  const ends: number[] = [];
  let offset = 16;
  for (const payload of payloads) {
    const frame = Buffer.alloc(12 + payload.length);
    frame.write('CCBK', 0, 'ascii');
    frame.writeUInt32LE(payload.length, 4);
    frame.writeUInt32LE(crc32(payload), 8);
    frame.set(payload, 12);
    parts.push(frame);
    offsets.push(offset);
    offset += frame.length;
    ends.push(offset);
  }
  writeFileSync(logFile(dir), Buffer.concat(parts));
  return { offsets, ends };
}

/** The side files cuts left beside the log, oldest name first. */
export function cutFiles(dir: string): string[] {
  return readdirSync(dir)
    .filter((name) => name.startsWith('blocks.log.cut-'))
    .sort()
    .map((name) => join(dir, name));
}

export function flipBit(path: string, at: number, bit = 0): void {
  const bytes = readFileSync(path);
  bytes[at]! ^= 1 << bit;
  writeFileSync(path, bytes);
}
