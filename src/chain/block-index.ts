import type { BlockHeader } from './header.js';
import { medianTimePast, nextBits, type TimedBits } from './retarget.js';
import type { Network } from './network.js';

/**
 * Every block the node holds — main chain and side branches — as a tree of entries. The chain with
 * the most total work wins; entries point to their parent so forks are found by walking back.
 */
export interface BlockEntry {
  /** Display hex. */
  hash: string;
  header: BlockHeader;
  height: number;
  parent: BlockEntry | null;
  /** Sum of block work from genesis to here. */
  totalWork: bigint;
  /** Frame offset in the block log (-1: genesis, held in code). */
  offset: number;
  /**
   * 'header': the header passed its checks, the body has not arrived (headers-first sync);
   * 'stored': the body passed every check that needs no state and is in the log (a side branch);
   * 'valid': has been connected to the state; 'invalid': failed, as have all its descendants.
   */
  status: 'header' | 'stored' | 'valid' | 'invalid';
}

/** Up to `count` entries ending at `entry`, oldest first. */
export function ancestry(entry: BlockEntry, count: number): BlockEntry[] {
  const out: BlockEntry[] = [];
  for (let e: BlockEntry | null = entry; e && out.length < count; e = e.parent) out.push(e);
  return out.reverse();
}

/** What the block after `parent` must satisfy: its bits and the median time it must exceed. */
export function nextBlockRules(network: Network, parent: BlockEntry): { bits: number; medianTimePast: number } {
  const window = ancestry(parent, Math.max(network.retargetWindow + 1, 11)).map<TimedBits>((e) => e.header);
  return { bits: nextBits(network, window), medianTimePast: medianTimePast(window) };
}

/** The last common ancestor of two entries. */
export function findFork(a: BlockEntry, b: BlockEntry): BlockEntry {
  let x: BlockEntry | null = a;
  let y: BlockEntry | null = b;
  while (x && y && x !== y) {
    if (x.height > y.height) x = x.parent;
    else if (y.height > x.height) y = y.parent;
    else {
      x = x.parent;
      y = y.parent;
    }
  }
  if (!x || x !== y) throw new Error('entries share no ancestor: two genesis blocks?');
  return x;
}

/** Entries after `fork` up to and including `to`, oldest first. */
export function pathFrom(fork: BlockEntry, to: BlockEntry): BlockEntry[] {
  const path: BlockEntry[] = [];
  for (let e: BlockEntry | null = to; e && e !== fork; e = e.parent) path.push(e);
  return path.reverse();
}
