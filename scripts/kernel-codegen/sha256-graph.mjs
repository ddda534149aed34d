// Layer 2 of the kernel generator: SHA-256d of an 80-byte header, described once as a word graph
// (word-graph.mjs). The midstate and the header's words 16..18 are per-header inputs, the nonce the
// one per-nonce input; what the graph folds away here never reaches the emitted code.
import { INITIAL_STATE as IV, ROUND_CONSTANTS as K } from '../../src/kernel/sha256-constants.ts';
import { WordGraph } from './word-graph.mjs';

/**
 * Message word t + SCHEDULE_LEAD is made in round t, off the round's critical path. The rolled loops
 * (layout.mjs, emit.mjs) make their words the same number of rounds ahead.
 */
export const SCHEDULE_LEAD = 4;

/**
 * The graph of one nonce's SHA-256d header hash, from the per-header inputs (midstate mid0..7, the
 * header's words 16..18 tail0..2) and the per-nonce input (the nonce as a big-endian message word).
 * `output` is the last word of the second hash: it holds the top 32 bits of the hash read as a
 * number, and is all the scan computes per nonce. `digest` is the second hash's eight words.
 */
export function headerHashGraph() {
  const g = new WordGraph();
  const midstate = IV.map((_, i) => g.input(`mid${i}`, 'const'));
  const tail = [0, 1, 2].map((i) => g.input(`tail${i}`, 'const'));
  const zero = g.literal(0);
  // Second block of an 80-byte message: 16 bytes of header, 0x80 padding, zeros, length 640 bits.
  const block = [...tail, g.input('nonce', 'var'), g.literal(0x80000000), ...Array(10).fill(zero), g.literal(640)];
  const first = compress(g, midstate, block, 0);
  // Second hash: a 32-byte message, padding, length 256 bits.
  const second = compress(g, IV.map((v) => g.literal(v)), [...first, g.literal(0x80000000), ...Array(6).fill(zero), g.literal(256)], 1);
  return { graph: g, output: second[7], digest: second };
}

/**
 * SHA-256's functions over any word operations `o` (xor, and, rotr, shr): graph nodes in compress(),
 * AssemblyScript text in the rolled loops (emit.mjs).
 */
export function sha256Functions(o) {
  return {
    bigSigma0: (x) => o.xor(o.xor(o.rotr(x, 2), o.rotr(x, 13)), o.rotr(x, 22)),
    bigSigma1: (x) => o.xor(o.xor(o.rotr(x, 6), o.rotr(x, 11)), o.rotr(x, 25)),
    sigma0: (x) => o.xor(o.xor(o.rotr(x, 7), o.rotr(x, 18)), o.shr(x, 3)),
    sigma1: (x) => o.xor(o.xor(o.rotr(x, 17), o.rotr(x, 19)), o.shr(x, 10)),
    // Ch = g ^ (e & (f ^ g)); Maj = b ^ ((a ^ b) & (b ^ c)), where b ^ c is the last round's a ^ b.
    choose: (e, f, g) => o.xor(g, o.and(e, o.xor(f, g))),
    majority: (a, b, c) => o.xor(b, o.and(o.xor(a, b), o.xor(b, c))),
  };
}

/**
 * One SHA-256 compression (`hash` 0 or 1 of the SHA-256d) of `words` (16 nodes) from `state` (8 nodes);
 * returns the 8 output words. Each round's new a and e and each message word is tagged with its
 * place (hash, role, round): stored words live at fixed addresses, which the rolled rounds also use.
 */
export function compress(g, state, words, hash) {
  const { bigSigma0, bigSigma1, sigma0, sigma1, choose, majority } = sha256Functions(g);

  const w = [...words];
  const place = (node, role, t) => {
    if (node.kind === 'var' && node.op !== 'input' && !node.place) {
      node.place = { hash, role, t };
      g.placed.set(`${hash}:${role}:${t}`, node);
    }
    return node;
  };
  const makeWord = (t) => {
    w[t] = place(g.sum(sigma1(w[t - 2]), w[t - 7], sigma0(w[t - 15]), w[t - 16]), 'w', t);
  };
  let [a, b, c, d, e, f, gg, h] = state;
  for (let t = 0; t < 64; t++) {
    g.roundStarts.add(g.nodes.length);
    g.round = { hash, t };
    if (t + SCHEDULE_LEAD >= 16 && t + SCHEDULE_LEAD < 64) makeWord(t + SCHEDULE_LEAD);
    // A message word is read up to 16 rounds after it is made: more live values than x86 has
    // registers. Keeping words in memory (stored once, loaded at each use) leaves the registers
    // to the eight state words; V8's own spilling of the same values measured far worse.
    if (t < 16) place(w[t], 'w', t);
    // Vector operations take 2 cycles on this machine (measured) and a round's e feeds the next Σ1(e):
    // a latency chain. So h + K + W + Ch is summed before Σ1(e) joins. (Adding Σ1 last to both d and
    // T2 as well shortened the chain by an add but cost one more per round: measured 2 % slower.)
    const early = g.sum(h, g.literal(K[t]), w[t], choose(e, f, gg));
    const t1 = g.sum(early, bigSigma1(e));
    const newE = g.sum(d, t1);
    const newA = g.sum(t1, g.sum(majority(a, b, c), bigSigma0(a)));
    place(newA, 'a', t);
    place(newE, 'e', t);
    [h, gg, f, e, d, c, b, a] = [gg, f, e, newE, c, b, a, newA];
  }
  g.round = { hash, t: 64 };
  return [a, b, c, d, e, f, gg, h].map((x, i) => g.sum(state[i], x));
}
