// The pure-JavaScript bar the WebAssembly kernel must clear: SHA-256d of an 80-byte header with the
// midstate of its first 64 bytes cached, the second block's fixed words kept, nothing allocated per
// nonce, and every round written out over local variables (which V8 keeps in registers).

const K = new Int32Array([
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
]);
const IV = new Int32Array([0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19]);

/** Compress 16 words w[0..16) (w has room for 64) into state s. */
function compress(s: Int32Array, w: Int32Array): void {
  for (let t = 16; t < 64; t++) {
    const x = w[t - 15]!;
    const y = w[t - 2]!;
    const s0 = ((x >>> 7) | (x << 25)) ^ ((x >>> 18) | (x << 14)) ^ (x >>> 3);
    const s1 = ((y >>> 17) | (y << 15)) ^ ((y >>> 19) | (y << 13)) ^ (y >>> 10);
    w[t] = (s1 + w[t - 7]! + s0 + w[t - 16]!) | 0;
  }
  let a = s[0]!, b = s[1]!, c = s[2]!, d = s[3]!, e = s[4]!, f = s[5]!, g = s[6]!, h = s[7]!;
  for (let t = 0; t < 64; t++) {
    const t1 = (h + (((e >>> 6) | (e << 26)) ^ ((e >>> 11) | (e << 21)) ^ ((e >>> 25) | (e << 7))) +
      (g ^ (e & (f ^ g))) + K[t]! + w[t]!) | 0;
    const t2 = ((((a >>> 2) | (a << 30)) ^ ((a >>> 13) | (a << 19)) ^ ((a >>> 22) | (a << 10))) +
      ((a & b) | (c & (a | b)))) | 0;
    h = g; g = f; f = e; e = (d + t1) | 0; d = c; c = b; b = a; a = (t1 + t2) | 0;
  }
  s[0] = (s[0]! + a) | 0; s[1] = (s[1]! + b) | 0; s[2] = (s[2]! + c) | 0; s[3] = (s[3]! + d) | 0;
  s[4] = (s[4]! + e) | 0; s[5] = (s[5]! + f) | 0; s[6] = (s[6]! + g) | 0; s[7] = (s[7]! + h) | 0;
}

/** A header hasher with the midstate cached; `topWord(nonce)` returns the hash's top 32 bits. */
export class JsMidstateHasher {
  private readonly midstate = new Int32Array(8);
  private readonly tail = new Int32Array(3);
  private readonly state = new Int32Array(8);
  private readonly w = new Int32Array(64);

  constructor(header: Uint8Array) {
    const view = new DataView(header.buffer, header.byteOffset, 80);
    this.midstate.set(IV);
    for (let i = 0; i < 16; i++) this.w[i] = view.getInt32(i * 4);
    compress(this.midstate, this.w);
    for (let i = 0; i < 3; i++) this.tail[i] = view.getInt32(64 + i * 4);
  }

  /** The full SHA-256d as 8 state words (big-endian words of the digest). */
  hash(nonce: number): Int32Array {
    const { w, state } = this;
    state.set(this.midstate);
    w[0] = this.tail[0]!; w[1] = this.tail[1]!; w[2] = this.tail[2]!;
    w[3] = ((nonce & 0xff) << 24) | ((nonce & 0xff00) << 8) | ((nonce >>> 8) & 0xff00) | (nonce >>> 24);
    w[4] = 0x80000000 | 0;
    w.fill(0, 5, 15);
    w[15] = 640;
    compress(state, w);
    for (let i = 0; i < 8; i++) w[i] = state[i]!;
    w[8] = 0x80000000 | 0;
    w.fill(0, 9, 15);
    w[15] = 256;
    state.set(IV);
    compress(state, w);
    return state;
  }

  /** The hash's top 32 bits as a number (its last word, byte-swapped). */
  topWord(nonce: number): number {
    const last = this.hash(nonce)[7]!;
    return (((last & 0xff) << 24) | ((last & 0xff00) << 8) | ((last >>> 8) & 0xff00) | (last >>> 24)) >>> 0;
  }
}
