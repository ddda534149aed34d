import { open, readFile, type FileHandle } from 'node:fs/promises';
import { join } from 'node:path';
import type { Chain } from '../chain/chain.js';
import { encodeTx } from '../chain/tx.js';
import { writeFileDurably } from './durable-file.js';

export const MEMPOOL_JOURNAL_FILE = 'mempool.journal';

/**
 * The mempool on disk. POST /txs answers 202 only after the transaction is here, fsync'd, because
 * DESIGN.md says nothing is acknowledged before it is on disk and the chain keeps only blocks. One
 * hex transaction per line, appended in admission order (so sequences replay in order); concurrent
 * appends share one fsync. On start every line is offered to the chain again: mined or now-invalid
 * ones are refused and dropped, and a torn last line is just bad hex.
 */
export class MempoolJournal {
  private pending: { line: string; done: () => void; fail: (e: Error) => void }[] = [];
  private queue: Promise<void> = Promise.resolve();
  private flushScheduled = false;
  private lines: number;

  /** Open the journal in `dataDir` and replay it into the chain's mempool. */
  static async open(dataDir: string, chain: Chain): Promise<{ journal: MempoolJournal; restored: number; dropped: number }> {
    const path = join(dataDir, MEMPOOL_JOURNAL_FILE);
    let text = '';
    try {
      text = await readFile(path, 'utf8');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
    }
    const kept: string[] = [];
    let dropped = 0;
    for (const line of text.split('\n')) {
      if (line === '') continue;
      const ok = /^([0-9a-f]{2})+$/.test(line) && chain.acceptTransaction(line).accepted;
      if (ok) kept.push(line);
      else dropped++;
    }
    writeFileDurably(path, kept.map((l) => l + '\n').join(''));
    const journal = new MempoolJournal(path, await open(path, 'a'), kept.length);
    return { journal, restored: kept.length, dropped };
  }

  private constructor(
    readonly path: string,
    private handle: FileHandle,
    lines: number,
  ) {
    this.lines = lines;
  }

  /** Resolves once the transaction is on disk. */
  append(raw: Uint8Array): Promise<void> {
    return new Promise((done, fail) => {
      this.pending.push({ line: Buffer.from(raw).toString('hex') + '\n', done, fail });
      if (!this.flushScheduled) {
        this.flushScheduled = true;
        this.enqueue(() => this.flush());
      }
    });
  }

  /** Rewrite the journal as the mempool now is, when mined transactions make up most of it. */
  compactIfStale(chain: Chain, minLines = 1024): Promise<void> {
    if (this.lines < minLines || this.lines < 2 * chain.mempoolInfo().count) return this.queue;
    return this.enqueue(async () => {
      // Admission order (then sequence, for ties within a millisecond), so a replay admits them all again.
      const entries = chain.mempoolEntries().sort((a, b) => a.addedAt - b.addedAt || a.tx.sequence - b.tx.sequence);
      await this.handle.close();
      writeFileDurably(this.path, entries.map((e) => Buffer.from(encodeTx(e.tx)).toString('hex') + '\n').join(''));
      this.handle = await open(this.path, 'a');
      this.lines = entries.length;
    });
  }

  async close(): Promise<void> {
    await this.queue;
    await this.handle.close();
  }

  private async flush(): Promise<void> {
    this.flushScheduled = false;
    const batch = this.pending;
    this.pending = [];
    try {
      await this.handle.write(batch.map((p) => p.line).join(''));
      await this.handle.sync();
      this.lines += batch.length;
      for (const p of batch) p.done();
    } catch (err) {
      for (const p of batch) p.fail(err as Error);
    }
  }

  private enqueue(op: () => Promise<void>): Promise<void> {
    const next = this.queue.then(op);
    this.queue = next.catch(() => undefined);
    return next;
  }
}
