import { closeSync, fstatSync, fsyncSync, ftruncateSync, mkdirSync, openSync } from 'node:fs';
import { open, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import { StoreCorruptError } from './errors.js';
import { CURRENT, encodeFrame, FORMAT_1, readFrame, type ReadAt } from './frame.js';
import { checkFileHeader, FILE_HEADER_BYTES } from './log-file-header.js';
import { migrateLog } from './log-migration.js';
import { cutTornTail, readerOf, type LogCut, type NameBlock } from './log-recovery.js';

/**
 * The append-only block log. Every block the chain accepts is appended as one frame and fsync'd
 * before the chain acknowledges it. Opening replays the frames. Damage is judged by what follows
 * it: when no intact frame follows (a crash mid-append, a last frame gone bad) it is a torn tail,
 * copied aside to `blocks.log.cut-<offset>` and cut off, reported in `recovery`; when an intact
 * frame follows, open throws StoreCorruptError naming the offset and leaves the file as it was.
 * A log in format 1 is rewritten once in the current format (log-migration.ts).
 *
 * File layout: a 16-byte header (log-file-header.ts), then frames (frame.ts).
 */
export const BLOCK_LOG_FILE = 'blocks.log';

export interface LoggedBlock {
  /** Byte offset of the frame, the block's address in the log. */
  offset: number;
  payload: Uint8Array;
}

/** What opening the log had to repair or rewrite; `{ truncatedBytes: 0 }` for a clean log. */
export interface Recovery {
  /** Bytes cut off the end, 0 when the log was clean. */
  truncatedBytes: number;
  /** Where the cut happened and why. */
  detail?: string;
  /** The cut: its offset, size, reason, side file and block. */
  cut?: LogCut;
  /** Set when this open rewrote a log of an older format (the cut, if any, is at an offset of the old file). */
  migrated?: { fromVersion: number; frames: number };
}

export interface BlockLogOptions {
  /** Names the block in bytes that get cut, for the report. */
  nameBlock?: NameBlock;
}

export class BlockLog {
  /** What opening had to repair. */
  recovery: Recovery = { truncatedBytes: 0 };
  private size = FILE_HEADER_BYTES;
  private handle: FileHandle | null = null;
  private writing: Promise<unknown> = Promise.resolve();
  private readonly readAt: ReadAt;

  private constructor(
    readonly path: string,
    private readonly fd: number,
  ) {
    this.readAt = readerOf(fd);
  }

  /**
   * Open (creating when absent) the log in `dataDir` for a network, and yield every intact frame
   * in order through `onBlock` before the log accepts appends. During the replay, `onBlock` may
   * read back any frame it was already given, through the log it is passed.
   */
  static async open(dataDir: string, networkTag: number, onBlock: (block: LoggedBlock, log: BlockLog) => void, options: BlockLogOptions = {}): Promise<BlockLog> {
    mkdirSync(dataDir, { recursive: true });
    const path = join(dataDir, BLOCK_LOG_FILE);
    const recovery: Recovery = { truncatedBytes: 0 };
    let fd = openSync(path, 'a+');
    try {
      if (checkFileHeader(fd, path, readerOf(fd), networkTag) === FORMAT_1.version) {
        closeSync(fd);
        fd = -1;
        const { frames, cut } = migrateLog(path, FORMAT_1, networkTag, options.nameBlock);
        if (cut) Object.assign(recovery, cutReport(cut));
        recovery.migrated = { fromVersion: FORMAT_1.version, frames };
        fd = openSync(path, 'a+');
        checkFileHeader(fd, path, readerOf(fd), networkTag);
      }
      const log = new BlockLog(path, fd);
      log.recovery = recovery;
      log.replay(onBlock, options.nameBlock);
      log.handle = await open(path, 'r+');
      return log;
    } catch (err) {
      if (fd !== -1) closeSync(fd);
      throw err;
    }
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
    const frame = readFrame(CURRENT, this.readAt, offset, this.size);
    if (frame.kind !== 'frame') {
      throw new StoreCorruptError(this.path, offset, `${frame.detail} (found reading a block back)`, {
        advice: 'The log went bad while the node ran: stop the node; the next start judges the damage and says how to go on.',
      });
    }
    return frame.payload;
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

  /** The fast path reads frame after frame; only damage costs a scan of the rest of the file. */
  private replay(onBlock: (block: LoggedBlock, log: BlockLog) => void, nameBlock: NameBlock | undefined): void {
    const fileSize = fstatSync(this.fd).size;
    let offset = FILE_HEADER_BYTES;
    while (offset < fileSize) {
      const frame = readFrame(CURRENT, this.readAt, offset, fileSize);
      if (frame.kind === 'damaged') {
        const cut = cutTornTail({ path: this.path, codec: CURRENT, read: this.readAt, offset, fileSize, damage: frame, nameBlock });
        ftruncateSync(this.fd, offset);
        fsyncSync(this.fd);
        Object.assign(this.recovery, cutReport(cut));
        break;
      }
      this.size = frame.next;
      onBlock({ offset, payload: frame.payload }, this);
      offset = frame.next;
    }
    this.size = offset;
  }
}

function cutReport(cut: LogCut): Pick<Recovery, 'truncatedBytes' | 'detail' | 'cut'> {
  return { truncatedBytes: cut.bytes, detail: `cut ${cut.bytes} bytes at ${cut.offset}: ${cut.reason}; kept in ${cut.file}`, cut };
}
