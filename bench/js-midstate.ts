// The pure-JavaScript bar the WebAssembly kernel must clear: SHA-256d of an 80-byte header written
// with the care a JS miner would take. The midstate of the first 64 bytes is cached; the second
// block's words that do not depend on the nonce (W0..W2, the padding, W16, W17) are computed once;
// the second hash stops after round 60, since only its last word decides the top 32 bits (as the
// kernel does); nothing is allocated per nonce; state lives in local variables.
import { INITIAL_STATE, ROUND_CONSTANTS } from '../src/kernel/sha256-constants.js';

// Signed 32-bit words, as the rounds compute (`| 0`).
const K = Int32Array.from(ROUND_CONSTANTS);
const IV = Int32Array.from(INITIAL_STATE);

/** W[from..to) of a message schedule whose first 16 words are in place. */
function expand(w: Int32Array, from: number, to: number): void {
  for (let t = from; t < to; t++) {
    const x = w[t - 15]!;
    const y = w[t - 2]!;
    w[t] = ((((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10)) + w[t - 7]! +
      (((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3)) + w[t - 16]!) | 0;
  }
}

/**
 * Rounds [0, count) from state s over schedule w; the new state goes to `out`. Eight rounds per pass
 * with the variables renamed rather than moved (each round changes only d and h).
 */
function rounds(s: Int32Array, w: Int32Array, count: number, out: Int32Array): void {
  let a = s[0]!, b = s[1]!, c = s[2]!, d = s[3]!, e = s[4]!, f = s[5]!, g = s[6]!, h = s[7]!;
  let t = 0;
  for (; t + 8 <= count; t += 8) {
    h = (h + sigma1(e) + (g ^ (e & (f ^ g))) + K[t]! + w[t]!) | 0; d = (d + h) | 0; h = (h + sigma0(a) + ((a & b) | (c & (a | b)))) | 0;
    g = (g + sigma1(d) + (f ^ (d & (e ^ f))) + K[t + 1]! + w[t + 1]!) | 0; c = (c + g) | 0; g = (g + sigma0(h) + ((h & a) | (b & (h | a)))) | 0;
    f = (f + sigma1(c) + (e ^ (c & (d ^ e))) + K[t + 2]! + w[t + 2]!) | 0; b = (b + f) | 0; f = (f + sigma0(g) + ((g & h) | (a & (g | h)))) | 0;
    e = (e + sigma1(b) + (d ^ (b & (c ^ d))) + K[t + 3]! + w[t + 3]!) | 0; a = (a + e) | 0; e = (e + sigma0(f) + ((f & g) | (h & (f | g)))) | 0;
    d = (d + sigma1(a) + (c ^ (a & (b ^ c))) + K[t + 4]! + w[t + 4]!) | 0; h = (h + d) | 0; d = (d + sigma0(e) + ((e & f) | (g & (e | f)))) | 0;
    c = (c + sigma1(h) + (b ^ (h & (a ^ b))) + K[t + 5]! + w[t + 5]!) | 0; g = (g + c) | 0; c = (c + sigma0(d) + ((d & e) | (f & (d | e)))) | 0;
    b = (b + sigma1(g) + (a ^ (g & (h ^ a))) + K[t + 6]! + w[t + 6]!) | 0; f = (f + b) | 0; b = (b + sigma0(c) + ((c & d) | (e & (c | d)))) | 0;
    a = (a + sigma1(f) + (h ^ (f & (g ^ h))) + K[t + 7]! + w[t + 7]!) | 0; e = (e + a) | 0; a = (a + sigma0(b) + ((b & c) | (d & (b | c)))) | 0;
  }
  for (; t < count; t++) {
    const t1 = (h + sigma1(e) + (g ^ (e & (f ^ g))) + K[t]! + w[t]!) | 0;
    const t2 = (sigma0(a) + ((a & b) | (c & (a | b)))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  out[0] = a; out[1] = b; out[2] = c; out[3] = d; out[4] = e; out[5] = f; out[6] = g; out[7] = h;
}

/** Σ1 and Σ0 of the compression (V8 turns each shift pair into one rotate). */
function sigma1(e: number): number {
  return ((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7));
}
function sigma0(a: number): number {
  return ((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10));
}

/** A header hasher with the midstate cached; `topWord(nonce)` returns the hash's top 32 bits. */
export class JsMidstateHasher {
  private readonly midstate = new Int32Array(8);
  private readonly first = new Int32Array(64); // second block's schedule; W3 (the nonce) varies
  private readonly second = new Int32Array(64);
  private readonly state = new Int32Array(8);

  constructor(header: Uint8Array) {
    const view = new DataView(header.buffer, header.byteOffset, 80);
    const block = new Int32Array(64);
    for (let i = 0; i < 16; i++) block[i] = view.getInt32(i * 4);
    expand(block, 16, 64);
    rounds(IV, block, 64, this.midstate);
    for (let i = 0; i < 8; i++) this.midstate[i] = (this.midstate[i]! + IV[i]!) | 0;
    for (let i = 0; i < 3; i++) this.first[i] = view.getInt32(64 + i * 4);
    this.first[4] = 0x80000000 | 0;
    this.first[15] = 640;
    expand(this.first, 16, 18); // W16, W17 do not depend on W3
    this.second[8] = 0x80000000 | 0;
    this.second[15] = 256;
  }

  /** The hash's top 32 bits as a number (the second hash's last word, byte-swapped). */
  topWord(nonce: number): number {
    const { first, second, state, midstate } = this;
    first[3] = ((nonce & 0xff) << 24) | ((nonce & 0xff00) << 8) | ((nonce >>> 8) & 0xff00) | (nonce >>> 24);
    expand(first, 18, 64);
    rounds(midstate, first, 64, state);
    for (let i = 0; i < 8; i++) second[i] = (state[i]! + midstate[i]!) | 0;
    expand(second, 16, 61);
    // h after 64 rounds is e after 61: the last word needs rounds 0..60 only.
    rounds(IV, second, 61, state);
    const last = (state[4]! + IV[7]!) | 0;
    return (((last & 0xff) << 24) | ((last & 0xff00) << 8) | ((last >>> 8) & 0xff00) | (last >>> 24)) >>> 0;
  }
}
