import { existsSync, readFileSync } from 'node:fs';
import { basename } from 'node:path';
import type { Recovery } from './block-log.js';

/** What the node says at start-up about its block log: one line each, for the operator. */
export interface StoreMessage {
  level: 'info' | 'warn';
  text: string;
}

/** The lines for a block log's recovery report: a cut (warn) and a format rewrite (info). */
export function recoveryMessages(recovery: Recovery, logPath: string): StoreMessage[] {
  const messages: StoreMessage[] = [];
  const { cut, migrated } = recovery;
  if (cut) {
    const where = migrated ? ` (format ${migrated.fromVersion}, before the rewrite)` : '';
    const block = !cut.block ? '' : cut.block.height === undefined ? `; they hold block ${cut.block.hash}` : `; they hold block ${cut.block.height} ${cut.block.hash}`;
    messages.push({
      level: 'warn',
      text:
        `cut ${cut.bytes} bytes at byte ${cut.offset} of ${logPath}${where}: ${cut.reason}${block}. No intact frame follows them, so the ` +
        `log ends where they began (a write the crash interrupted, or a last block gone bad); they are kept in ${cut.file}.`,
    });
  }
  if (migrated) {
    messages.push({
      level: 'info',
      text: `${logPath} was in format ${migrated.fromVersion}: rewrote it once in the current format, whose frame headers carry their own check (${migrated.frames} blocks)`,
    });
  }
  return messages;
}

/**
 * A loud warning when the chain opened with no blocks in a data dir that was used before (its node
 * key exists, or its mempool journal holds lines): the block log is missing or was emptied.
 */
export function emptyLogWarning(args: { height: number; logPath: string; nodeKeyPath: string; journalPath: string }): string | undefined {
  if (args.height > 0) return undefined;
  const evidence: string[] = [];
  if (existsSync(args.nodeKeyPath)) evidence.push(`${basename(args.nodeKeyPath)} exists`);
  const lines = journalLines(args.journalPath);
  if (lines > 0) evidence.push(`${basename(args.journalPath)} holds ${lines} line${lines === 1 ? '' : 's'}`);
  if (evidence.length === 0) return undefined;
  const journal = lines === 0 ? '' : ` ${args.journalPath} (${lines} line${lines === 1 ? '' : 's'}) is kept: its transactions apply again once the blocks are back.`;
  return (
    `the block log ${args.logPath} holds no blocks, but this data directory was used before (${evidence.join(', ')}). ` +
    `If the node had blocks, the log is missing or was emptied: stop the node and restore it (from a backup, or a ` +
    `${basename(args.logPath)}.cut-* file beside it) before the node mines a new chain over it.${journal}`
  );
}

function journalLines(path: string): number {
  try {
    return readFileSync(path, 'utf8').split('\n').filter((line) => line.trim() !== '').length;
  } catch {
    return 0;
  }
}
