import { closeSync, fsyncSync, openSync, readSync, fstatSync, ftruncateSync, mkdirSync, writeSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { StoreCorruptError } from './errors.js';
import { encodeFrame, FRAME_HEADER_BYTES, scanFrame } from './frame.js';

/**
 * The append-only block log. Every block the chain accepts is appended as one frame and fsync'd
 * before the chain acknowledges it. Opening replays the frames: a torn tail (a crash mid-append) is
 * cut off, reported in `recovery`; damage in the middle throws StoreCorruptError naming the offset.
 *
 * File layout: a 16-byte header (magic "CCHAINLG", u32 version, u32 network tag, so a log cannot be
 * opened for the wrong network), then frames (see frame.ts).
 */
export interface LoggedBlock {
  /** Byte offset of the frame, the block's address in the log. */
  offset: number;
  payload: Uint8Array;
}

export interface Recovery {
  /** Bytes cut off the end, 0 when the log was clean. */
  truncatedBytes: number;
  /** Where the cut happened and why. */
  detail?: string;
}

const FILE_MAGIC = Buffer.from('CCHAINLG', 'ascii');
const FILE_VERSION = 1;
export const FILE_HEADER_BYTES = 16;

export class BlockLog {
  /** What opening had to repair. */
  recovery: Recovery = { truncatedBytes: 0 };
  private size = FILE_HEADER_BYTES;
  private handle: FileHandle | null = null;
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly path: string,
    private readonly fd: number,
  ) {}

  /**
   * Open (creating when absent) the log in `dataDir` for a network, and yield every intact frame
   * in order through `onBlock` before the log accepts appends. During the replay, `onBlock` may
   * read back any frame it was already given, through the log it is passed.
   */
  static async open(dataDir: string, networkTag: number, onBlock: (block: LoggedBlock, log: BlockLog) => void): Promise<BlockLog> {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, 'blocks.log');
    const fd = openSync(path, 'a+');
    const log = new BlockLog(path, fd);
    try {
      log.checkFileHeader(networkTag);
      log.replay(onBlock);
      log.handle = await open(path, 'r+');
    } catch (err) {
      closeSync(fd);
      throw err;
    }
    return log;
  }

  /**
   * Append one block and wait until it is durable (fdatasync). Appends are serialized. A failed
   * write is cut back so the log never keeps half a frame.
   */
  append(payload: Uint8Array): Promise<number> {
    const result = this.writing.then(() => this.appendNow(payload));
    this.writing = result.catch(() => undefined);
    return result;
  }

  /** Read back the block stored at a frame offset. */
  read(offset: number): Uint8Array {
    const scan = scanFrame((pos, len) => this.readBytes(pos, len), offset, this.size);
    if (scan.kind !== 'frame') throw new StoreCorruptError(this.path, offset, scan.detail);
    return scan.payload;
  }

  get bytes(): number {
    return this.size;
  }

  async close(): Promise<void> {
    await this.writing;
    await this.handle?.close();
    this.handle = null;
    closeSync(this.fd);
  }

  private async appendNow(payload: Uint8Array): Promise<number> {
    if (!this.handle) throw new Error('block log is closed');
    const offset = this.size;
    const frame = encodeFrame(payload);
    try {
      let written = 0;
      while (written < frame.length) {
        const { bytesWritten } = await this.handle.write(frame, written, frame.length - written, offset + written);
        written += bytesWritten;
      }
      await this.handle.datasync();
    } catch (err) {
      await this.handle.truncate(offset).catch(() => undefined);
      throw err;
    }
    this.size = offset + frame.length;
    return offset;
  }

  private checkFileHeader(networkTag: number): void {
    const fileSize = fstatSync(this.fd).size;
    if (fileSize === 0 || (fileSize < FILE_HEADER_BYTES && this.readBytes(0, fileSize).every((b, i) => b === headerBytes(networkTag)[i]))) {
      // New log (or one torn while writing its header): write the header and make the file's entry durable.
      ftruncateSync(this.fd, 0);
      writeSync(this.fd, headerBytes(networkTag), 0, FILE_HEADER_BYTES, 0);
      fsyncSync(this.fd);
      fsyncDir(dirname(this.path));
      return;
    }
    const head = this.readBytes(0, FILE_HEADER_BYTES);
    if (head.length < FILE_HEADER_BYTES || !head.subarray(0, 8).equals(FILE_MAGIC)) {
      throw new StoreCorruptError(this.path, 0, 'not a carechain block log');
    }
    if (head.readUInt32LE(8) !== FILE_VERSION) throw new StoreCorruptError(this.path, 8, `unknown log version ${head.readUInt32LE(8)}`);
    if (head.readUInt32LE(12) !== networkTag) throw new StoreCorruptError(this.path, 12, 'the log belongs to another network');
  }

  private replay(onBlock: (block: LoggedBlock, log: BlockLog) => void): void {
    const fileSize = fstatSync(this.fd).size;
    let offset = FILE_HEADER_BYTES;
    while (offset < fileSize) {
      const scan = scanFrame((pos, len) => this.readBytes(pos, len), offset, fileSize);
      if (scan.kind === 'corrupt') throw new StoreCorruptError(this.path, offset, scan.detail);
      if (scan.kind === 'torn') {
        ftruncateSync(this.fd, offset);
        fsyncSync(this.fd);
        this.recovery = { truncatedBytes: fileSize - offset, detail: `cut ${fileSize - offset} bytes at ${offset}: ${scan.detail}` };
        break;
      }
      this.size = scan.next;
      onBlock({ offset, payload: scan.payload }, this);
      offset = scan.next;
    }
    this.size = offset;
  }

  private readBytes(pos: number, len: number): Buffer {
    const buf = Buffer.alloc(len);
    let got = 0;
    while (got < len) {
      const n = readSync(this.fd, buf, got, len - got, pos + got);
      if (n === 0) break;
      got += n;
    }
    return buf.subarray(0, got);
  }
}

function headerBytes(networkTag: number): Buffer {
  const head = Buffer.alloc(FILE_HEADER_BYTES);
  FILE_MAGIC.copy(head, 0);
  head.writeUInt32LE(FILE_VERSION, 8);
  head.writeUInt32LE(networkTag >>> 0, 12);
  return head;
}

/** Make a new file's directory entry durable, so the file itself survives a power cut. */
function fsyncDir(dir: string): void {
  try {
    const fd = openSync(dir, 'r');
    try {
      fsyncSync(fd);
    } finally {
      closeSync(fd);
    }
  } catch {
    // Some platforms cannot fsync a directory; the data fsync still holds.
  }
}

export { FRAME_HEADER_BYTES };
