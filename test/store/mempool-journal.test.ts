import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { formatRecord, MEMPOOL_JOURNAL_FILE, MempoolJournal, parseJournal, StorageError, type JournalRecord } from '../../src/store/mempool-journal.js';
import { mountSmallDisk, smallDiskUnavailable, type SmallDisk } from '../helpers/small-disk.js';
import { removeTempDirs, tempDir } from '../chain/helpers.js';

// The journal's own promises: self-checking records, a damaged one costs only itself, reading
// never writes, a failed append leaves no half record behind, a failed compaction keeps the old file.

const tx = (seq: number, fill: number, length = 120): JournalRecord => ({ type: 'tx', seq, bytes: new Uint8Array(length).fill(fill) });
const disks: SmallDisk[] = [];
const journals: MempoolJournal[] = [];
afterEach(async () => {
  for (const j of journals.splice(0)) await j.close().catch(() => undefined);
  for (const d of disks.splice(0)) d.unmount();
  removeTempDirs();
});

async function openIn(dir: string) {
  const opened = await MempoolJournal.open(dir);
  journals.push(opened.journal);
  return opened;
}

describe('journal records', () => {
  it('round-trip every kind, each line checked by its own CRC', () => {
    const records: JournalRecord[] = [tx(0, 1), { type: 'drop', seq: 1, txid: 'ab'.repeat(32), reason: 'bad-sequence', at: 1_700_000_000_000 }, { type: 'evict', seq: 2, txid: 'cd'.repeat(32), feeRate: 1.25, lostTo: 7.5, at: 1_700_000_000_001 }];
    const text = records.map(formatRecord).join('');
    expect(text.split('\n')[0]).toMatch(/^tx 0 (01){120} \*[0-9a-f]{8}$/);
    expect(parseJournal(Buffer.from(text))).toEqual({ records, damaged: [], legacy: 0 });
  });

  it('costs a damaged record only itself, reports where it was, and reads CRLF line endings', () => {
    const lines = [tx(0, 1), tx(1, 2), tx(2, 3)].map(formatRecord);
    const flipped = lines[1]!.replace('tx 1 02', 'tx 1 03'); // one byte, same length
    const text = (lines[0] + flipped + lines[2]).replace(/\n/g, '\r\n');
    const parsed = parseJournal(Buffer.from(text));
    expect(parsed.records.map((r) => r.seq)).toEqual([0, 2]);
    expect(parsed.damaged).toEqual([{ offset: lines[0]!.length + 1, why: 'checksum mismatch', line: flipped.trimEnd() }]);
  });

  it('tells a torn last record from a damaged one, and reads the bare hex lines of earlier versions in order', () => {
    const torn = formatRecord(tx(5, 9)).slice(0, 100);
    const parsed = parseJournal(Buffer.from(`0a0b\n0c0d\n${formatRecord(tx(4, 8))}${torn}`));
    expect(parsed.legacy).toBe(2);
    expect(parsed.records.map((r) => r.seq).slice(2)).toEqual([4]);
    // Earlier versions' lines sort before any new record, in file order.
    expect(parsed.records[0]!.seq).toBeLessThan(parsed.records[1]!.seq);
    expect(parsed.records[1]!.seq).toBeLessThan(0);
    expect(parsed.damaged).toHaveLength(1);
    expect(parsed.damaged[0]!.why).toMatch(/^torn/);
  });
});

describe('MempoolJournal', () => {
  it('reads without writing: opening never changes the file, damaged lines included', async () => {
    const dir = tempDir();
    const path = join(dir, MEMPOOL_JOURNAL_FILE);
    const bytes = formatRecord(tx(0, 1)) + 'garbage line\n' + formatRecord(tx(1, 2));
    writeFileSync(path, bytes);
    const before = statSync(path).mtimeMs;
    const { contents } = await openIn(dir);
    expect(contents.records).toHaveLength(2);
    expect(contents.damaged).toHaveLength(1);
    expect(readFileSync(path, 'utf8')).toBe(bytes);
    expect(statSync(path).mtimeMs).toBe(before);
  });

  it('appends whole records and compacts by writing a new file and renaming it', async () => {
    const dir = tempDir();
    const { journal } = await openIn(dir);
    await journal.append([tx(0, 1), tx(1, 2)]);
    await journal.append([tx(2, 3)]);
    expect(journal.records).toBe(3);
    await journal.rewrite([tx(0, 3)]);
    await journal.append([tx(1, 4)]);
    const parsed = parseJournal(readFileSync(join(dir, MEMPOOL_JOURNAL_FILE)));
    expect(parsed.records.map((r) => (r.type === 'tx' ? r.bytes[0] : -1))).toEqual([3, 4]);
    expect(parsed.damaged).toEqual([]);
  });
});

describe.skipIf(smallDiskUnavailable() !== undefined)(`MempoolJournal on a full disk (${smallDiskUnavailable() ?? 'a real tmpfs'})`, () => {
  it('fails an append with StorageError, leaves no partial record, and works again once space returns', async () => {
    const disk = mountSmallDisk(256 * 1024);
    disks.push(disk);
    const { journal } = await openIn(disk.dir);
    await journal.append([tx(0, 1)]);
    const good = statSync(join(disk.dir, MEMPOOL_JOURNAL_FILE)).size;
    disk.fill(100);
    const failed = await journal.append([tx(1, 2, 2000), tx(2, 3, 2000)]).catch((e: unknown) => e);
    expect(failed).toBeInstanceOf(StorageError);
    expect((failed as StorageError).code).toBe('ENOSPC');
    expect(statSync(join(disk.dir, MEMPOOL_JOURNAL_FILE)).size).toBe(good);
    disk.free();
    await journal.append([tx(3, 4)]);
    const parsed = parseJournal(readFileSync(join(disk.dir, MEMPOOL_JOURNAL_FILE)));
    expect(parsed.records.map((r) => r.seq)).toEqual([0, 3]);
    expect(parsed.damaged).toEqual([]);
  });

  it('keeps the old file open and working when a compaction cannot be written', async () => {
    const disk = mountSmallDisk(256 * 1024);
    disks.push(disk);
    const { journal } = await openIn(disk.dir);
    const records = Array.from({ length: 20 }, (_, i) => tx(i, i, 1000));
    await journal.append(records);
    disk.fill(4096);
    await expect(journal.rewrite(records)).rejects.toBeInstanceOf(StorageError);
    disk.free();
    await journal.append([tx(20, 7)]);
    const parsed = parseJournal(readFileSync(join(disk.dir, MEMPOOL_JOURNAL_FILE)));
    expect(parsed.records).toHaveLength(21);
    expect(parsed.damaged).toEqual([]);
  });
});
