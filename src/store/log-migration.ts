import { closeSync, fstatSync, fsyncSync, openSync, renameSync, rmSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { syncDirectory } from './durable-file.js';
import { StoreCorruptError, StoreMigrationError } from './errors.js';
import { encodeFrame, readFrame, type FrameCodec } from './frame.js';
import { FILE_HEADER_BYTES, fileHeader } from './log-file-header.js';
import { cutTornTail, readerOf, type LogCut, type NameBlock } from './log-recovery.js';

/**
 * Rewrite a log in an older frame format (format 1) once in the current one, so every frame on disk
 * carries a header check and the log has one format to append and read. The new file is written
 * beside the old (`<log>.migrating`), fsync'd, renamed over it and the directory fsync'd: a crash
 * leaves the old log or the new one, never half of either. A torn tail of the old log is kept aside
 * first, as on any open; damage in its middle refuses with the old file untouched.
 */
export function migrateLog(path: string, from: FrameCodec, networkTag: number, nameBlock?: NameBlock): { frames: number; cut?: LogCut } {
  const temp = `${path}.migrating`;
  const fd = openSync(path, 'r');
  let out: number | undefined;
  let fileSize = 0;
  let result: { frames: number; cut?: LogCut };
  try {
    fileSize = fstatSync(fd).size;
    const read = readerOf(fd);
    out = openSync(temp, 'w', 0o644); // a temp file left by a crash mid-migration is ours to replace
    const writer = bufferedWriter(out);
    writer.write(fileHeader(networkTag));
    let frames = 0;
    let cut: LogCut | undefined;
    for (let offset = FILE_HEADER_BYTES; offset < fileSize; ) {
      const frame = readFrame(from, read, offset, fileSize);
      if (frame.kind === 'damaged') {
        cut = cutTornTail({ path, codec: from, read, offset, fileSize, damage: frame, nameBlock });
        break;
      }
      writer.write(encodeFrame(frame.payload));
      frames++;
      offset = frame.next;
    }
    writer.flush();
    fsyncSync(out);
    closeSync(out);
    out = undefined;
    renameSync(temp, path);
    result = { frames, ...(cut ? { cut } : {}) };
  } catch (err) {
    if (out !== undefined) closeSync(out);
    removeTemp(temp);
    if (err instanceof StoreCorruptError) throw err;
    throw new StoreMigrationError(path, err as Error, fileSize);
  } finally {
    closeSync(fd);
  }
  syncDirectory(dirname(path)); // the rename is done: from here an error is the directory's, not the migration's
  return result;
}

/** Remove our temp file; anything else by that name (a directory, say) is left alone. */
function removeTemp(temp: string): void {
  try {
    rmSync(temp, { force: true });
  } catch {
    // not a file of ours
  }
}

/** Sequential writes gathered into 1 MiB blocks, every byte written (short writes completed). */
function bufferedWriter(fd: number): { write(bytes: Uint8Array): void; flush(): void } {
  const buf = Buffer.alloc(1024 * 1024);
  let used = 0;
  const writeAll = (bytes: Uint8Array) => {
    for (let done = 0; done < bytes.length; ) done += writeSync(fd, bytes, done, bytes.length - done);
  };
  return {
    write(bytes) {
      if (used + bytes.length > buf.length) {
        writeAll(buf.subarray(0, used));
        used = 0;
      }
      if (bytes.length > buf.length) return writeAll(bytes);
      buf.set(bytes, used);
      used += bytes.length;
    },
    flush() {
      writeAll(buf.subarray(0, used));
      used = 0;
    },
  };
}
