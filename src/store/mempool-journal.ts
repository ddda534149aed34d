import { open, readFile, rename, unlink, type FileHandle } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { crc32 } from 'node:zlib';
import { syncDirectory } from './durable-file.js';

export const MEMPOOL_JOURNAL_FILE = 'mempool.journal';
/** Lines that fail their checksum or do not parse, with their offset: kept, never erased. */
export const DAMAGED_FILE = 'mempool.journal.damaged';
/** Acknowledged transactions that can never apply (with the reason), kept for their owners. */
export const REJECTED_FILE = 'mempool.journal.rejected';

/**
 * The mempool on disk: what the node promised when it answered 202. One record per line,
 * self-checking (a CRC-32 per line), each with a sequence number in admission order, so a replay
 * in that order admits every transaction again (parents before children):
 *
 *   tx <seq> <hex of the transaction> *<crc>
 *   drop <seq> <txid> <reason> <unix ms> *<crc>          it can never apply: not to be replayed
 *   evict <seq> <txid> <fee rate> <lost to> <unix ms> *<crc>   evicted for better payers
 *
 * Appends are written in full (short writes completed) and fsync'd before they resolve; a write that
 * fails is cut back to the last good byte, so a later record never glues onto half of one. Reading
 * never changes the file (a node starts on a full disk); compaction writes a new file beside it and
 * renames it over, and a failed compaction leaves the old one open and working. The journal of
 * earlier versions (bare hex lines) is read as tx records in file order.
 *
 * It knows bytes and records only; what a record means to the chain is src/node/admission.ts's.
 */
export type JournalRecord =
  | { type: 'tx'; seq: number; bytes: Uint8Array }
  | { type: 'drop'; seq: number; txid: string; reason: string; at: number }
  | { type: 'evict'; seq: number; txid: string; feeRate: number; lostTo: number; at: number };

export interface DamagedLine {
  /** Byte offset of the line in the journal. */
  offset: number;
  why: string;
  line: string;
}

export interface JournalContents {
  records: JournalRecord[];
  damaged: DamagedLine[];
  /** Lines in the format of earlier versions (bare hex), read as tx records. */
  legacy: number;
}

/** The journal could not write: the disk is full, gone read-only or failing. Nothing was acknowledged. */
export class StorageError extends Error {
  override name = 'StorageError';
  constructor(
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

export class MempoolJournal {
  private handle: FileHandle | null = null;
  private size = 0;
  /** A failed write may have left bytes past `size`: cut them before the next write. */
  private dirty = false;
  private recordCount: number;
  private writing: Promise<unknown> = Promise.resolve();

  private constructor(
    readonly dataDir: string,
    size: number,
    records: number,
  ) {
    this.size = size;
    this.recordCount = records;
  }

  /** Read the journal in `dataDir` (absent: empty) without writing anything. */
  static async open(dataDir: string): Promise<{ journal: MempoolJournal; contents: JournalContents }> {
    const path = join(dataDir, MEMPOOL_JOURNAL_FILE);
    let bytes: Buffer;
    try {
      bytes = await readFile(path);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      bytes = Buffer.alloc(0);
    }
    const contents = parseJournal(bytes);
    const journal = new MempoolJournal(dataDir, bytes.length, contents.records.length);
    return { journal, contents };
  }

  get path(): string {
    return join(this.dataDir, MEMPOOL_JOURNAL_FILE);
  }

  /** Records in the file (what compaction weighs against what is still needed). */
  get records(): number {
    return this.recordCount;
  }

  /** Append records; resolves once they are on disk. Throws StorageError, having left the file as it was. */
  append(records: readonly JournalRecord[]): Promise<void> {
    return this.serialize(() => this.appendNow(records));
  }

  /**
   * Replace the journal with `records` (compaction): a new file written and fsync'd beside it, then
   * renamed over it and the directory fsync'd. Throws StorageError and keeps the old file in use.
   */
  rewrite(records: readonly JournalRecord[]): Promise<void> {
    return this.serialize(async () => {
      const temp = `${this.path}.compact-${process.pid}`;
      const text = Buffer.from(records.map(formatRecord).join(''));
      let fresh: FileHandle | undefined;
      try {
        fresh = await open(temp, 'w', 0o644);
        await writeFully(fresh, text, 0);
        await fresh.datasync();
        await fresh.close();
        fresh = undefined;
        await rename(temp, this.path);
        syncDirectory(dirname(this.path));
      } catch (err) {
        await fresh?.close().catch(() => undefined);
        await unlink(temp).catch(() => undefined);
        throw storageError(err, 'compacting the mempool journal');
      }
      // The old handle points at the replaced file: reopen on the new one.
      await this.handle?.close().catch(() => undefined);
      this.handle = null;
      this.size = text.length;
      this.dirty = false;
      this.recordCount = records.length;
    });
  }

  /** Append lines to a side file next to the journal (damaged records, rejected transactions), fsync'd. */
  async saveAside(file: typeof DAMAGED_FILE | typeof REJECTED_FILE, lines: readonly string[]): Promise<void> {
    if (lines.length === 0) return;
    const path = join(this.dataDir, file);
    const text = Buffer.from(lines.map((l) => l.replace(/\n/g, ' ') + '\n').join(''));
    let handle: FileHandle | undefined;
    let before = 0;
    try {
      handle = await open(path, 'a+', 0o644);
      before = (await handle.stat()).size;
      await writeFully(handle, text, before);
      await handle.datasync();
    } catch (err) {
      // Leave the side file as it was: the lines are still in the journal and are saved next time.
      await handle?.truncate(before).catch(() => undefined);
      throw storageError(err, `writing ${file}`);
    } finally {
      await handle?.close().catch(() => undefined);
    }
  }

  async close(): Promise<void> {
    await this.writing.catch(() => undefined);
    await this.handle?.close();
    this.handle = null;
  }

  private async appendNow(records: readonly JournalRecord[]): Promise<void> {
    const text = Buffer.from(records.map(formatRecord).join(''));
    try {
      const handle = await this.file();
      if (this.dirty) {
        await handle.truncate(this.size);
        this.dirty = false;
      }
      await writeFully(handle, text, this.size);
      await handle.datasync();
    } catch (err) {
      // Whatever reached the file of this append is not acknowledged: cut it, or cut it next time.
      this.dirty = true;
      await this.handle?.truncate(this.size).then(() => (this.dirty = false), () => undefined);
      throw storageError(err, 'writing the mempool journal');
    }
    this.size += text.length;
    this.recordCount += records.length;
  }

  private async file(): Promise<FileHandle> {
    if (this.handle) return this.handle;
    try {
      this.handle = await open(this.path, 'r+');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
      this.handle = await open(this.path, 'w+', 0o644);
      syncDirectory(this.dataDir);
      this.size = 0;
    }
    return this.handle;
  }

  private serialize<T>(op: () => Promise<T>): Promise<T> {
    const next = this.writing.then(op);
    this.writing = next.catch(() => undefined);
    return next;
  }
}

/** One record as its line: fields, then ` *` and the CRC-32 of everything before it. */
export function formatRecord(record: JournalRecord): string {
  let body: string;
  switch (record.type) {
    case 'tx':
      body = `tx ${record.seq} ${Buffer.from(record.bytes).toString('hex')}`;
      break;
    case 'drop':
      body = `drop ${record.seq} ${record.txid} ${record.reason} ${record.at}`;
      break;
    case 'evict':
      body = `evict ${record.seq} ${record.txid} ${record.feeRate} ${record.lostTo} ${record.at}`;
      break;
  }
  return `${body} *${checksum(body)}\n`;
}

/** Every intact record of a journal's bytes, in file order, and every line that is not one. */
export function parseJournal(bytes: Buffer): JournalContents {
  const records: JournalRecord[] = [];
  const damaged: DamagedLine[] = [];
  let legacy = 0;
  let offset = 0;
  let legacySeq = 0;
  while (offset < bytes.length) {
    let end = bytes.indexOf(0x0a, offset);
    const complete = end !== -1;
    if (!complete) end = bytes.length;
    const raw = bytes.subarray(offset, end).toString('latin1').replace(/\r$/, '');
    const at = offset;
    offset = complete ? end + 1 : end;
    if (raw.trim() === '') continue;
    if (/^([0-9a-f]{2})+$/.test(raw)) {
      // An earlier version's line: hex only, no checksum. A torn one fails to decode later, as a transaction.
      records.push({ type: 'tx', seq: legacySeq++ - 2 ** 40, bytes: new Uint8Array(Buffer.from(raw, 'hex')) });
      legacy++;
      continue;
    }
    const parsed = parseLine(raw, complete);
    if ('why' in parsed) damaged.push({ offset: at, why: parsed.why, line: raw });
    else records.push(parsed);
  }
  return { records, damaged, legacy };
}

function parseLine(line: string, complete: boolean): JournalRecord | { why: string } {
  const star = line.lastIndexOf(' *');
  if (star === -1) return { why: complete ? 'no checksum' : 'torn (no end of line, no checksum)' };
  const body = line.slice(0, star);
  if (line.slice(star + 2) !== checksum(body)) return { why: complete ? 'checksum mismatch' : 'torn (checksum mismatch, no end of line)' };
  const f = body.split(' ');
  const seq = Number(f[1]);
  if (!Number.isSafeInteger(seq)) return { why: 'bad sequence number' };
  if (f[0] === 'tx' && f.length === 3 && /^([0-9a-f]{2})+$/.test(f[2]!)) return { type: 'tx', seq, bytes: new Uint8Array(Buffer.from(f[2]!, 'hex')) };
  if (f[0] === 'drop' && f.length === 5 && /^[0-9a-f]{64}$/.test(f[2]!)) return { type: 'drop', seq, txid: f[2]!, reason: f[3]!, at: Number(f[4]) };
  if (f[0] === 'evict' && f.length === 6 && /^[0-9a-f]{64}$/.test(f[2]!)) {
    return { type: 'evict', seq, txid: f[2]!, feeRate: Number(f[3]), lostTo: Number(f[4]), at: Number(f[5]) };
  }
  return { why: `unknown record "${f[0]}"` };
}

function checksum(text: string): string {
  return crc32(Buffer.from(text, 'latin1')).toString(16).padStart(8, '0');
}

async function writeFully(handle: FileHandle, bytes: Buffer, position: number): Promise<void> {
  let written = 0;
  while (written < bytes.length) {
    const { bytesWritten } = await handle.write(bytes, written, bytes.length - written, position + written);
    // A write that makes no progress would spin: the device takes nothing more (full).
    if (bytesWritten === 0) throw Object.assign(new Error('no bytes written'), { code: 'ENOSPC' });
    written += bytesWritten;
  }
}

function storageError(err: unknown, doing: string): StorageError {
  if (err instanceof StorageError) return err;
  const code = (err as NodeJS.ErrnoException).code ?? 'EIO';
  return new StorageError(code, `${doing}: ${code} (${(err as Error).message})`);
}
