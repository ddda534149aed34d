// Scalar SHA-256 (FIPS 180-4): the compression function over linear memory, one-shot hashing of any
// byte string in pieces, and the full SHA-256d check of one header nonce.
import { IV, K } from './generated/sha256-constants';
import { BLOCK, DIGEST, HEADER, INPUT, MIDSTATE, SCHEDULE, STATE, TARGET } from './memory';

/** Copy the 8-word IV into a state. */
export function initState(state: usize): void {
  memory.copy(state, IV, 32);
}

/** Compress one 64-byte block (bytes, big-endian words) into an 8-word state. */
export function compress(state: usize, block: usize): void {
  for (let t: usize = 0; t < 16; t++) store<u32>(SCHEDULE + (t << 2), bswap<u32>(load<u32>(block + (t << 2))));
  compressSchedule(state);
}

/** Compress the 16 native-order words already in SCHEDULE[0..16] into a state. */
export function compressSchedule(state: usize): void {
  for (let t: usize = 16; t < 64; t++) {
    const w15 = load<u32>(SCHEDULE + ((t - 15) << 2));
    const w2 = load<u32>(SCHEDULE + ((t - 2) << 2));
    const s0 = rotr<u32>(w15, 7) ^ rotr<u32>(w15, 18) ^ (w15 >>> 3);
    const s1 = rotr<u32>(w2, 17) ^ rotr<u32>(w2, 19) ^ (w2 >>> 10);
    store<u32>(SCHEDULE + (t << 2), s1 + load<u32>(SCHEDULE + ((t - 7) << 2)) + s0 + load<u32>(SCHEDULE + ((t - 16) << 2)));
  }
  let a = load<u32>(state, 0), b = load<u32>(state, 4), c = load<u32>(state, 8), d = load<u32>(state, 12);
  let e = load<u32>(state, 16), f = load<u32>(state, 20), g = load<u32>(state, 24), h = load<u32>(state, 28);
  for (let t: usize = 0; t < 64; t++) {
    const t1 = h + (rotr<u32>(e, 6) ^ rotr<u32>(e, 11) ^ rotr<u32>(e, 25)) + (g ^ (e & (f ^ g))) +
      load<u32>(K + (t << 2)) + load<u32>(SCHEDULE + (t << 2));
    const t2 = (rotr<u32>(a, 2) ^ rotr<u32>(a, 13) ^ rotr<u32>(a, 22)) + ((a & b) | (c & (a | b)));
    h = g; g = f; f = e; e = d + t1; d = c; c = b; b = a; a = t1 + t2;
  }
  store<u32>(state, load<u32>(state, 0) + a, 0);
  store<u32>(state, load<u32>(state, 4) + b, 4);
  store<u32>(state, load<u32>(state, 8) + c, 8);
  store<u32>(state, load<u32>(state, 12) + d, 12);
  store<u32>(state, load<u32>(state, 16) + e, 16);
  store<u32>(state, load<u32>(state, 20) + f, 20);
  store<u32>(state, load<u32>(state, 24) + g, 24);
  store<u32>(state, load<u32>(state, 28) + h, 28);
}

// Streaming state: bytes hashed so far, and how many of them wait in BLOCK.
let totalBytes: u64 = 0;
let pending: i32 = 0;

export function sha256Init(): void {
  initState(STATE);
  totalBytes = 0;
  pending = 0;
}

/** Absorb `length` bytes from INPUT. */
export function sha256Update(length: i32): void {
  let src = INPUT;
  let left = length;
  totalBytes += <u64>length;
  if (pending > 0) {
    const take = min(64 - pending, left);
    memory.copy(BLOCK + pending, src, take);
    pending += take; src += take; left -= take;
    if (pending < 64) return;
    compress(STATE, BLOCK);
    pending = 0;
  }
  while (left >= 64) {
    compress(STATE, src);
    src += 64; left -= 64;
  }
  memory.copy(BLOCK, src, left);
  pending = left;
}

/** Pad, finish, and write the digest (bytes) to DIGEST. */
export function sha256Final(): void {
  store<u8>(BLOCK + pending, 0x80);
  memory.fill(BLOCK + pending + 1, 0, 63 - pending);
  if (pending >= 56) {
    compress(STATE, BLOCK);
    memory.fill(BLOCK, 0, 56);
  }
  store<u64>(BLOCK + 56, bswap<u64>(totalBytes << 3));
  compress(STATE, BLOCK);
  writeDigest(STATE, DIGEST);
}

/** State words to digest bytes (big-endian). */
export function writeDigest(state: usize, out: usize): void {
  for (let i: usize = 0; i < 32; i += 4) store<u32>(out + i, bswap<u32>(load<u32>(state + i)));
}

/** The midstate of HEADER's first 64 bytes, into MIDSTATE. */
export function computeMidstate(): void {
  initState(MIDSTATE);
  compress(MIDSTATE, HEADER);
}

/**
 * Full SHA-256d of HEADER with this nonce, compared with TARGET over all 256 bits (both read as
 * little-endian numbers). The scan loops call it only for nonces whose top word already passed.
 */
export function headerMeetsTarget(nonce: u32): bool {
  memory.copy(STATE, MIDSTATE, 32);
  for (let i: usize = 0; i < 3; i++) store<u32>(SCHEDULE + (i << 2), bswap<u32>(load<u32>(HEADER + 64 + (i << 2))));
  store<u32>(SCHEDULE, bswap<u32>(nonce), 12);
  store<u32>(SCHEDULE, 0x80000000, 16);
  for (let i: usize = 5; i < 15; i++) store<u32>(SCHEDULE + (i << 2), 0);
  store<u32>(SCHEDULE, 640, 60);
  compressSchedule(STATE);
  // Second hash: the first digest's words are already the message words.
  memory.copy(SCHEDULE, STATE, 32);
  store<u32>(SCHEDULE, 0x80000000, 32);
  for (let i: usize = 9; i < 15; i++) store<u32>(SCHEDULE + (i << 2), 0);
  store<u32>(SCHEDULE, 256, 60);
  initState(STATE);
  compressSchedule(STATE);
  // The hash as a number: its most significant word is the byte-swapped last state word.
  for (let i: i32 = 7; i >= 0; i--) {
    const word = bswap<u32>(load<u32>(STATE + (<usize>i << 2)));
    const limit = load<u32>(TARGET + (<usize>i << 2));
    if (word != limit) return word < limit;
  }
  return true;
}
