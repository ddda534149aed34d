import { closeSync, fsyncSync, openSync, readSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { syncDirectory } from './durable-file.js';
import { StoreCorruptError } from './errors.js';
import { CODECS, magicBytes, MAX_FRAME_PAYLOAD, readFrame, type FrameCodec, type FrameRead, type ReadAt } from './frame.js';

/**
 * What the block log does with damage: a torn tail (a crash mid-append, or a last frame gone bad)
 * is copied aside and cut; damage with any intact frame after it stops the node, the file as it was.
 * Only damage triggers the forward scan, so a clean log replays at the cost of reading its frames.
 */

/** What was cut off the end of the log, and where its bytes are kept. */
export interface LogCut {
  /** The side file holding the cut bytes, beside the log. */
  file: string;
  offset: number;
  bytes: number;
  /** What was wrong with the frame at `offset`. */
  reason: string;
  /** The block the cut bytes hold, where they decode as one. */
  block?: BlockName;
}

export interface BlockName {
  hash: string;
  height?: number;
}

/** Names the block a (possibly partial) payload holds, or undefined; supplied by the chain. */
export type NameBlock = (payload: Uint8Array) => BlockName | undefined;

/**
 * The frame at `offset` of the log at `path` is damaged. When any intact frame follows, throw
 * StoreCorruptError with both offsets, having changed nothing. Otherwise keep the bytes from
 * `offset` to the end in a new side file (fsync'd) and return the cut; the caller then truncates.
 */
export function cutTornTail(args: {
  path: string;
  codec: FrameCodec;
  read: ReadAt;
  offset: number;
  fileSize: number;
  damage: Extract<FrameRead, { kind: 'damaged' }>;
  nameBlock?: NameBlock | undefined;
}): LogCut {
  const { path, codec, read, offset, fileSize, damage } = args;
  // A frame whose header passed its check owns its declared bytes: look for intact frames after them.
  const intactAt = findIntactFrame(read, damage.end ?? offset, fileSize);
  if (intactAt !== undefined) throw new StoreCorruptError(path, offset, damage.detail, { intactAt });
  const file = keepAside(path, read, offset, fileSize);
  const block = args.nameBlock && nameCutFrame(codec, read, offset, fileSize, args.nameBlock);
  return { file, offset, bytes: fileSize - offset, reason: damage.detail, ...(block ? { block } : {}) };
}

/** Chunk size of the forward scan: it streams, never holding the file. */
export const SCAN_CHUNK = 1024 * 1024;

/** The first offset at or after `from` where an intact frame (of any format) starts, if any. */
export function findIntactFrame(read: ReadAt, from: number, fileSize: number): number | undefined {
  const magics = CODECS.map((codec) => ({ codec, magic: magicBytes(codec) }));
  for (let start = from; start < fileSize; start += SCAN_CHUNK) {
    // 3 bytes of overlap, so a magic straddling two chunks is seen in the first.
    const chunk = read(start, Math.min(SCAN_CHUNK + 3, fileSize - start));
    let found: number | undefined;
    for (const { codec, magic } of magics) {
      for (let i = chunk.indexOf(magic); i !== -1 && i < SCAN_CHUNK && (found === undefined || i < found); i = chunk.indexOf(magic, i + 1)) {
        if (readFrame(codec, read, start + i, fileSize).kind === 'frame') {
          found = i;
          break;
        }
      }
    }
    if (found !== undefined) return start + found;
  }
  return undefined;
}

/** Copy bytes [offset, fileSize) to `<log>.cut-<offset>` (or `.2`, `.3`, … when that exists), durably. */
function keepAside(path: string, read: ReadAt, offset: number, fileSize: number): string {
  let file = `${path}.cut-${offset}`;
  let fd: number | undefined;
  for (let n = 2; fd === undefined; n++) {
    try {
      fd = openSync(file, 'wx', 0o644);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
      file = `${path}.cut-${offset}.${n}`;
    }
  }
  try {
    for (let pos = offset; pos < fileSize; pos += SCAN_CHUNK) {
      const chunk = read(pos, Math.min(SCAN_CHUNK, fileSize - pos));
      for (let done = 0; done < chunk.length; ) done += writeSync(fd, chunk, done, chunk.length - done);
    }
    fsyncSync(fd);
  } finally {
    closeSync(fd);
  }
  syncDirectory(dirname(path));
  return file;
}

/** The block in the cut bytes, when they start with a frame header: its payload as far as it reached the disk. */
function nameCutFrame(codec: FrameCodec, read: ReadAt, offset: number, fileSize: number, nameBlock: NameBlock): BlockName | undefined {
  const head = read(offset, codec.headerBytes);
  if (head.length < codec.headerBytes || head.readUInt32LE(0) !== codec.magic) return undefined;
  const length = Math.min(head.readUInt32LE(4), MAX_FRAME_PAYLOAD, fileSize - offset - codec.headerBytes);
  return nameBlock(read(offset + codec.headerBytes, length));
}

/** Positional reads on an open file; fewer bytes than asked only at its end. */
export function readerOf(fd: number): ReadAt {
  return (pos, len) => {
    const buf = Buffer.alloc(len);
    let got = 0;
    while (got < len) {
      const n = readSync(fd, buf, got, len - got, pos + got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  };
}
