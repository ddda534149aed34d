// The seed's teaching puzzle: find a nonce such that SHA-256(prefix ‖ decimal(nonce)) begins with
// `zeros` zero hex digits. Full blocks of the prefix are hashed once (a midstate); each nonce then
// costs one or two compressions of the prefix's tail, its digits and the padding.
import { IV0, IV1, IV2, IV3, IV4, IV5, IV6, IV7, K as K_TABLE } from './generated/sha256-constants';
import { BLOCK, PUZZLE_PREFIX, RESULT, STATE } from './memory';
import { compress } from './sha256';

const PREFIX_MIDSTATE = memory.data(32, 16);
// Four lanes' tail message (up to two blocks) as interleaved big-endian words: word w of lane j
// sits at LANE_BLOCKS + w * 16 + j * 4, so one v128 load gives word w of all four lanes.
const LANE_BLOCKS = memory.data(2 * 16 * 16, 16);
const LANE_STATE = memory.data(8 * 16, 16);
const LANE_SCHEDULE = memory.data(64 * 16, 16);

let prefixLength: u32 = 0;
let tailStart: u32 = 0; // offset in PUZZLE_PREFIX of the bytes after the last full block
let zeroDigits: u32 = 0;
let laidOutDigits: u32 = 0; // digit count LANE_BLOCKS is laid out for (0: none)

/** Returns 1 and writes [nonce, hashed] to RESULT for the first qualifying nonce, else 0. */
export function scanPuzzle(length: u32, zeros: u32, start: u32, count: u32): i32 {
  prefixLength = length;
  zeroDigits = zeros;
  tailStart = length & ~63;
  laidOutDigits = 0;
  store<u32>(PREFIX_MIDSTATE, IV0, 0); store<u32>(PREFIX_MIDSTATE, IV1, 4);
  store<u32>(PREFIX_MIDSTATE, IV2, 8); store<u32>(PREFIX_MIDSTATE, IV3, 12);
  store<u32>(PREFIX_MIDSTATE, IV4, 16); store<u32>(PREFIX_MIDSTATE, IV5, 20);
  store<u32>(PREFIX_MIDSTATE, IV6, 24); store<u32>(PREFIX_MIDSTATE, IV7, 28);
  for (let offset: u32 = 0; offset < tailStart; offset += 64) compress(PREFIX_MIDSTATE, PUZZLE_PREFIX + offset);

  let nonce = start;
  let left = count;
  while (left > 0) {
    const digits = decimalLength(nonce);
    if (ASC_FEATURE_SIMD && left >= 4 && nonce <= 0xfffffffb && decimalLength(nonce + 3) == digits) {
      if (lanesQualify(nonce, digits)) {
        for (let lane: u32 = 0; lane < 4; lane++) if (qualifies(nonce + lane)) return found(nonce + lane, start);
      }
      nonce += 4;
      left -= 4;
    } else {
      if (qualifies(nonce)) return found(nonce, start);
      nonce++;
      left--;
    }
  }
  return 0;
}

function found(nonce: u32, start: u32): i32 {
  store<u32>(RESULT, nonce, 0);
  store<u32>(RESULT, nonce - start + 1, 4);
  return 1;
}

/** Exact check of one nonce (scalar): hash prefix ‖ digits and count the zero hex digits. */
function qualifies(nonce: u32): bool {
  const digits = decimalLength(nonce);
  const tailLength = prefixLength - tailStart;
  const messageLength = tailLength + digits; // bytes after the midstate
  memory.copy(STATE, PREFIX_MIDSTATE, 32);
  // The message runs over one or two blocks: write each byte into the block it falls in.
  const end: u32 = messageLength + 9 <= 64 ? 64 : 128;
  for (let i: u32 = 0; i < end; i++) {
    store<u8>(BLOCK + (i & 63), messageByte(i, nonce, digits, tailLength, messageLength));
    if ((i & 63) == 63) compress(STATE, BLOCK);
  }
  return leadingZerosAtLeast(STATE, zeroDigits);
}

/** Byte i of the tail message: prefix tail, digits, 0x80, zeros, then the bit length (big-endian). */
function messageByte(i: u32, nonce: u32, digits: u32, tailLength: u32, messageLength: u32): u8 {
  if (i < tailLength) return load<u8>(PUZZLE_PREFIX + tailStart + i);
  if (i < messageLength) return <u8>(48 + decimalDigit(nonce, digits - 1 - (i - tailLength)));
  if (i == messageLength) return 0x80;
  const end: u32 = messageLength + 9 <= 64 ? 64 : 128;
  if (i >= end - 8) {
    const bits = <u64>(prefixLength + digits) << 3;
    return <u8>(bits >> (<u64>(end - 1 - i) << 3));
  }
  return 0;
}

function leadingZerosAtLeast(state: usize, zeros: u32): bool {
  for (let word: u32 = 0; word < 8 && zeros > 0; word++) {
    const value = load<u32>(state + (word << 2));
    const nibbles = min<u32>(zeros, 8);
    if (nibbles == 8 ? value != 0 : value >>> (32 - 4 * nibbles) != 0) return false;
    zeros -= nibbles;
  }
  return true;
}

function decimalLength(n: u32): u32 {
  let length: u32 = 1;
  while (n >= 10) {
    n /= 10;
    length++;
  }
  return length;
}

/** The decimal digit of n at position `place` (0 = units). */
function decimalDigit(n: u32, place: u32): u32 {
  for (let i: u32 = 0; i < place; i++) n /= 10;
  return n % 10;
}

// ---- four nonces at a time (SIMD builds) ----

/** Whether any of nonce .. nonce+3 (same digit count) may qualify: a filter on the first word. */
function lanesQualify(nonce: u32, digits: u32): bool {
  const tailLength = prefixLength - tailStart;
  const messageLength = tailLength + digits;
  const blocks: u32 = messageLength + 9 <= 64 ? 1 : 2;
  if (laidOutDigits != digits) layOutLanes(digits, tailLength, messageLength, blocks);
  for (let lane: u32 = 0; lane < 4; lane++) {
    let n = nonce + lane;
    for (let i: u32 = 0; i < digits; i++) {
      setLaneByte(lane, messageLength - 1 - i, <u8>(48 + n % 10));
      n /= 10;
    }
  }
  for (let w: usize = 0; w < 8; w++) v128.store(LANE_STATE + (w << 4), v128.load32_splat(PREFIX_MIDSTATE + (w << 2)));
  compressLanes(LANE_BLOCKS);
  if (blocks == 2) compressLanes(LANE_BLOCKS + 256);
  const first = v128.load(LANE_STATE);
  const nibbles = min<u32>(zeroDigits, 8);
  const tested = nibbles == 8 ? first : i32x4.shr_u(first, 32 - 4 * nibbles);
  return v128.any_true(i32x4.eq(tested, i32x4.splat(0)));
}

function setLaneByte(lane: u32, i: u32, byte: u8): void {
  store<u8>(LANE_BLOCKS + ((i >> 6) << 8) + (((i & 63) >> 2) << 4) + (lane << 2) + (3 - (i & 3)), byte);
}

/** Write what every lane shares for this digit count: prefix tail, padding and length. */
function layOutLanes(digits: u32, tailLength: u32, messageLength: u32, blocks: u32): void {
  memory.fill(LANE_BLOCKS, 0, 512);
  const end = blocks << 6;
  const bits = <u64>(prefixLength + digits) << 3;
  for (let lane: u32 = 0; lane < 4; lane++) {
    for (let i: u32 = 0; i < tailLength; i++) setLaneByte(lane, i, load<u8>(PUZZLE_PREFIX + tailStart + i));
    setLaneByte(lane, messageLength, 0x80);
    for (let i: u32 = 0; i < 8; i++) setLaneByte(lane, end - 1 - i, <u8>(bits >> (<u64>i << 3)));
  }
  laidOutDigits = digits;
}

/** One SHA-256 compression of four lanes' blocks (interleaved words) into LANE_STATE. */
function compressLanes(block: usize): void {
  for (let t: usize = 0; t < 16; t++) v128.store(LANE_SCHEDULE + (t << 4), v128.load(block + (t << 4)));
  for (let t: usize = 16; t < 64; t++) {
    const w15 = v128.load(LANE_SCHEDULE + ((t - 15) << 4));
    const w2 = v128.load(LANE_SCHEDULE + ((t - 2) << 4));
    const s0 = v128.xor(v128.xor(rotr4(w15, 7), rotr4(w15, 18)), i32x4.shr_u(w15, 3));
    const s1 = v128.xor(v128.xor(rotr4(w2, 17), rotr4(w2, 19)), i32x4.shr_u(w2, 10));
    const sum = i32x4.add(i32x4.add(s1, v128.load(LANE_SCHEDULE + ((t - 7) << 4))), i32x4.add(s0, v128.load(LANE_SCHEDULE + ((t - 16) << 4))));
    v128.store(LANE_SCHEDULE + (t << 4), sum);
  }
  let a = v128.load(LANE_STATE, 0), b = v128.load(LANE_STATE, 16), c = v128.load(LANE_STATE, 32), d = v128.load(LANE_STATE, 48);
  let e = v128.load(LANE_STATE, 64), f = v128.load(LANE_STATE, 80), g = v128.load(LANE_STATE, 96), h = v128.load(LANE_STATE, 112);
  for (let t: usize = 0; t < 64; t++) {
    const bigS1 = v128.xor(v128.xor(rotr4(e, 6), rotr4(e, 11)), rotr4(e, 25));
    const ch = v128.xor(g, v128.and(e, v128.xor(f, g)));
    const kw = i32x4.add(v128.load32_splat(K_TABLE + (t << 2)), v128.load(LANE_SCHEDULE + (t << 4)));
    const t1 = i32x4.add(i32x4.add(h, kw), i32x4.add(bigS1, ch));
    const bigS0 = v128.xor(v128.xor(rotr4(a, 2), rotr4(a, 13)), rotr4(a, 22));
    const maj = v128.xor(b, v128.and(v128.xor(a, b), v128.xor(b, c)));
    h = g; g = f; f = e; e = i32x4.add(d, t1); d = c; c = b; b = a; a = i32x4.add(t1, i32x4.add(bigS0, maj));
  }
  v128.store(LANE_STATE, i32x4.add(v128.load(LANE_STATE, 0), a), 0);
  v128.store(LANE_STATE, i32x4.add(v128.load(LANE_STATE, 16), b), 16);
  v128.store(LANE_STATE, i32x4.add(v128.load(LANE_STATE, 32), c), 32);
  v128.store(LANE_STATE, i32x4.add(v128.load(LANE_STATE, 48), d), 48);
  v128.store(LANE_STATE, i32x4.add(v128.load(LANE_STATE, 64), e), 64);
  v128.store(LANE_STATE, i32x4.add(v128.load(LANE_STATE, 80), f), 80);
  v128.store(LANE_STATE, i32x4.add(v128.load(LANE_STATE, 96), g), 96);
  v128.store(LANE_STATE, i32x4.add(v128.load(LANE_STATE, 112), h), 112);
}

// @ts-ignore: decorator
@inline function rotr4(x: v128, n: i32): v128 {
  return v128.or(i32x4.shr_u(x, n), i32x4.shl(x, 32 - n));
}
