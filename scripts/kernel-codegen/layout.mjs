// Layer 3 of the kernel generator: where the work of the graph runs and where its words live.
// Which rounds run as loops (ROLLED) rather than straight code, the slot of each stored word in the
// kernel's WORDS region, which nodes the output needs, and the checks that the layout fits the
// kernel's memory (its capacities are read from assembly/memory.ts, see kernel-sources.mjs).
import { SCHEDULE_LEAD } from './sha256-graph.mjs';

/**
 * Rounds run by a loop rather than as straight-line code. The straight body of all 122 rounds is
 * ~43 KB of machine code, more than the 32 KB instruction cache and the op cache hold: measured, it
 * ran 2.3 vector operations per cycle where half of it, which fits, ran 3.2. From these rounds on,
 * every input of a round and of the message word it makes (t + SCHEDULE_LEAD) is a per-nonce word
 * in memory, so the rounds are all alike and one small loop body runs them. Straight code keeps the
 * rounds where folding pays: constant message words, padding zeros, the pruned last rounds.
 */
export const ROLLED = [
  { hash: 0, from: 30, to: 59 },
  { hash: 1, from: 28, to: 54 },
]; // all straight: 7.1 MH/s (SIMD) and 3.2 (scalar); with these loops: 9.2 and 4.4

/**
 * Rounds per pass of a rolled loop. Measured (MH/s, SIMD): 1 → 7.9, 2 → 8.9, 3 → 9.3, 4 → 9.1,
 * 6 → 9.1: one round a pass pays the loop's own instructions and register shuffles every round.
 */
export const ROLLED_UNROLL = 3;

/** The rolled range a node was made in, if any. */
export const rolledRangeOf = (n) =>
  n.round && ROLLED.find((r) => r.hash === n.round.hash && n.round.t >= r.from && n.round.t <= r.to);

/**
 * Where a placed word lives in WORDS, counted in words of the back end's width: a region per hash
 * and role, the newest round lowest. A loop walking a pointer down by one word per round then finds
 * every word it reads (older rounds) and writes (this round, the word made ahead) at a fixed,
 * non-negative offset from the pointer.
 */
export const ROLES = ['a', 'e', 'w'];
export const PLACED_WORDS = 2 * ROLES.length * 64;
export const slotOf = ({ hash, role, t }) => (hash * ROLES.length + ROLES.indexOf(role)) * 64 + (63 - t);

/**
 * Nodes the output depends on (in creation order), and the slot of each per-header value the
 * straight code reads from memory (PRECOMPUTED).
 */
export function plan(output) {
  const live = new Set();
  const stack = [output];
  while (stack.length) {
    const n = stack.pop();
    if (live.has(n)) continue;
    live.add(n);
    stack.push(...n.args);
  }
  const ordered = [...live].sort((a, b) => a.id - b.id);
  const slots = new Map();
  for (const n of ordered) {
    if (n.kind !== 'var' || rolledRangeOf(n)) continue;
    for (const a of n.args) if (a.kind !== 'var' && !slots.has(a)) slots.set(a, slots.size);
  }
  return { ordered, slots };
}

/** The rolled rounds' words must all be placed per-nonce words, or the loop body would be wrong. */
export function checkRolled(graph) {
  for (const { hash, from, to } of ROLLED) {
    if ((to - from + 1) % ROLLED_UNROLL !== 0) throw new Error(`rolled rounds ${from}..${to}: not a multiple of ${ROLLED_UNROLL}`);
    for (let t = from; t <= to; t++) {
      const made = t + SCHEDULE_LEAD;
      const needs = [['w', t], ['w', made], ['w', made - 2], ['w', made - 7], ['w', made - 15], ['w', made - 16]];
      for (let k = 0; k <= 4; k++) needs.push(['a', t - k], ['e', t - k]);
      for (const [role, at] of needs) {
        if (!graph.placed.has(`${hash}:${role}:${at}`)) {
          throw new Error(`rolled round ${t} of hash ${hash} needs ${role}[${at}] as a per-nonce word in memory`);
        }
      }
    }
  }
}

/**
 * The layout must fit the kernel's regions: WORDS holds every placed word (v128 each), PRECOMPUTED
 * one u32 per per-header slot. `capacity` is { words, precomputed }, in those units.
 */
export function checkCapacity(slots, capacity) {
  if (PLACED_WORDS > capacity.words) {
    throw new Error(`the scan stores ${PLACED_WORDS} words, WORDS holds ${capacity.words}: raise WORDS_CAPACITY in assembly/memory.ts`);
  }
  if (slots.size > capacity.precomputed) {
    throw new Error(`the scan needs ${slots.size} per-header words, PRECOMPUTED holds ${capacity.precomputed}: raise PRECOMPUTED_CAPACITY in assembly/memory.ts`);
  }
}
