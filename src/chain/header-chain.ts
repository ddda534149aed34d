import { headerHash, type BlockHeader } from './header.js';
import { bytesEqual, toDisplayHex } from './hash.js';
import type { Network } from './network.js';
import { medianTimePast, nextBits } from './retarget.js';
import { bitsToTarget, blockWork, hashMeetsTarget } from './target.js';

/**
 * A run of consecutive headers checked the way the chain checks blocks, as far as headers alone
 * allow: each links to the one before by prevHash, meets its own bits, keeps its bits within the
 * network's limit, and is not over 2 h ahead of the clock. Wherever the run holds a header's whole
 * retarget window (or reaches back to genesis), its bits must be the retarget rule's answer; wherever
 * it holds the 11 headers before one, its time must be above their median. The first header of the
 * run is the base: its place (height) is given, and only the headers after it are checked.
 * Used for a receipt's headers on top of its block, and for a headers file from genesis.
 */

export type HeaderChainFailure =
  | 'headers-broken-link'
  | 'headers-bad-diffbits'
  | 'headers-high-hash'
  | 'headers-bad-retarget'
  | 'headers-time-too-old'
  | 'headers-time-too-new';

export interface HeaderChainReport {
  /** The first header after the base that breaks a rule, and why. */
  failure?: { reason: HeaderChainFailure; height: number; detail: string };
  /** The hash of every header of the run (internal byte order), the base first. */
  hashes: Uint8Array[];
  /** The base's own work: expected hashes to meet its bits. */
  baseWork: bigint;
  /** Sum of the work of the headers after the base: what a forger must redo on top of it. */
  workOnTop: bigint;
  /** Headers after the base whose bits were checked against the retarget rule. */
  retargetChecked: number;
  /** Headers after the base whose time was checked against the median time past. */
  timeChecked: number;
}

/** Headers the median time past reads (retarget.ts, medianTimePast). */
const MEDIAN_SPAN = 11;

/**
 * Check `run` (oldest first), whose first header sits at `baseHeight`. `now` is the checker's
 * clock in seconds (omit to skip the too-far-ahead rule).
 */
export function checkHeaderRun(network: Network, baseHeight: number, run: BlockHeader[], now?: number): HeaderChainReport {
  if (run.length === 0) throw new RangeError('a header run needs its base header');
  const hashes = run.map(headerHash);
  const report: HeaderChainReport = { hashes, baseWork: workOf(run[0]!.bits), workOnTop: 0n, retargetChecked: 0, timeChecked: 0 };
  const fail = (reason: HeaderChainFailure, at: number, detail: string) => {
    report.failure = { reason, height: baseHeight + at, detail: `height ${baseHeight + at}: ${detail}` };
    return report;
  };
  for (let i = 1; i < run.length; i++) {
    const header = run[i]!;
    const height = baseHeight + i;
    if (!bytesEqual(header.prevHash, hashes[i - 1]!)) {
      return fail('headers-broken-link', i, `prevHash ${toDisplayHex(header.prevHash)} is not the hash of the header before, ${toDisplayHex(hashes[i - 1]!)}`);
    }
    const target = targetWithin(network, header.bits);
    if (target === undefined) return fail('headers-bad-diffbits', i, `bits ${hex32(header.bits)} outside the ${network.name} limit`);
    if (!hashMeetsTarget(hashes[i]!, target)) return fail('headers-high-hash', i, `hash ${toDisplayHex(hashes[i]!)} above the target of its bits ${hex32(header.bits)}`);
    if (now !== undefined && header.time > now + network.maxFutureSeconds) {
      return fail('headers-time-too-new', i, `time ${header.time} is over ${network.maxFutureSeconds} s ahead of this clock (${now})`);
    }
    // The retarget rule reads the last window + 1 ancestors (all of them near genesis): check it
    // only where the run holds every one, since a header outside the run is unknown here.
    const windowStart = Math.max(0, height - (network.retargetWindow + 1));
    if (windowStart >= baseHeight) {
      const expected = nextBits(network, run.slice(windowStart - baseHeight, i));
      if (header.bits !== expected) return fail('headers-bad-retarget', i, `bits ${hex32(header.bits)}, but the retarget rule gives ${hex32(expected)}`);
      report.retargetChecked++;
    }
    const medianStart = Math.max(0, height - MEDIAN_SPAN);
    if (medianStart >= baseHeight) {
      const median = medianTimePast(run.slice(medianStart - baseHeight, i));
      if (header.time <= median) return fail('headers-time-too-old', i, `time ${header.time} not above the median time past ${median}`);
      report.timeChecked++;
    }
    report.workOnTop += blockWork(target);
  }
  return report;
}

/** The target of `bits` when it is a valid encoding in (0, the network limit]; otherwise undefined. */
export function targetWithin(network: Network, bits: number): bigint | undefined {
  let target: bigint;
  try {
    target = bitsToTarget(bits);
  } catch {
    return undefined;
  }
  return target > 0n && target <= network.powLimit ? target : undefined;
}

/** Expected hashes to meet `bits` (0 for bits that encode no valid target). */
export function workOf(bits: number): bigint {
  try {
    return blockWork(bitsToTarget(bits));
  } catch {
    return 0n;
  }
}

function hex32(n: number): string {
  return '0x' + n.toString(16).padStart(8, '0');
}
