import { fstatSync, fsyncSync, ftruncateSync, writeSync } from 'node:fs';
import { dirname } from 'node:path';
import { syncDirectory } from './durable-file.js';
import { StoreCorruptError } from './errors.js';
import { CURRENT, FORMAT_1, type ReadAt } from './frame.js';

/**
 * The block log's first 16 bytes: magic "CCHAINLG", u32 version (the frame format), u32 network
 * tag, so a log is never opened for the wrong network nor read with the wrong frames.
 */
export const FILE_HEADER_BYTES = 16;

const FILE_MAGIC = Buffer.from('CCHAINLG', 'ascii');
const KNOWN_VERSIONS = [CURRENT.version, FORMAT_1.version];

export function fileHeader(networkTag: number, version = CURRENT.version): Buffer {
  const head = Buffer.alloc(FILE_HEADER_BYTES);
  FILE_MAGIC.copy(head, 0);
  head.writeUInt32LE(version, 8);
  head.writeUInt32LE(networkTag >>> 0, 12);
  return head;
}

/**
 * Check the header of the log open on `fd` and return its version. A new file, or one torn while
 * its header was written (any version's), gets a fresh current header, made durable.
 */
export function checkFileHeader(fd: number, path: string, read: ReadAt, networkTag: number): number {
  const size = fstatSync(fd).size;
  if (size < FILE_HEADER_BYTES) {
    const start = read(0, size);
    if (KNOWN_VERSIONS.some((v) => fileHeader(networkTag, v).subarray(0, size).equals(start))) {
      ftruncateSync(fd, 0);
      writeSync(fd, fileHeader(networkTag), 0, FILE_HEADER_BYTES, 0);
      fsyncSync(fd);
      syncDirectory(dirname(path));
      return CURRENT.version;
    }
  }
  const untouched = 'The file is untouched';
  const head = read(0, FILE_HEADER_BYTES);
  if (head.length < FILE_HEADER_BYTES || !head.subarray(0, 8).equals(FILE_MAGIC)) {
    throw new StoreCorruptError(path, 0, 'not a carechain block log', { advice: `${untouched}: move it aside, or use another --data directory, to start a new chain.` });
  }
  const version = head.readUInt32LE(8);
  if (!KNOWN_VERSIONS.includes(version)) {
    throw new StoreCorruptError(path, 8, `unknown log version ${version}`, {
      advice: `${untouched}: a newer carechain may have written it (run that one), or its header is damaged (restore it from a backup).`,
    });
  }
  if (head.readUInt32LE(12) !== networkTag >>> 0) {
    throw new StoreCorruptError(path, 12, 'the log belongs to another network', { advice: `${untouched}: start with the --network it was made for, or use another --data directory.` });
  }
  return version;
}
