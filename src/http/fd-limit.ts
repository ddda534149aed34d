import { readFileSync } from 'node:fs';

/**
 * File descriptors kept free for everything but HTTP connections: the block log and journal,
 * worker threads, stdio, the event loop's own, peers. The connection cap stays this far under the
 * open-file limit so that accept() never fails with EMFILE and a new client can always be let in.
 */
export const FD_RESERVE = 128;

/**
 * The process's soft open-file limit (`ulimit -n`; Node raises it to the hard limit at start-up),
 * read from /proc/self/limits; undefined where that file does not exist or says "unlimited".
 */
export function openFileLimit(limitsText: string | undefined = readProcLimits()): number | undefined {
  const match = /^Max open files\s+(\d+)/m.exec(limitsText ?? '');
  return match ? Number(match[1]) : undefined;
}

/** The connection cap the fd limit allows: `wanted`, or less when the limit cannot hold it. */
export function connectionCapFor(wanted: number, fdLimit: number | undefined): number {
  if (fdLimit === undefined) return wanted;
  return Math.max(1, Math.min(wanted, fdLimit - FD_RESERVE));
}

function readProcLimits(): string | undefined {
  try {
    return readFileSync('/proc/self/limits', 'utf8');
  } catch {
    return undefined;
  }
}
