// The nonce scan over an 80-byte header: SHA-256d of each nonce, compared with the target.
// The per-nonce arithmetic is generated (generated/header-scan.ts, by scripts/kernel-codegen.mjs);
// this file holds the loops, the early exit and the result.
import { HEADER, MIDSTATE, RESULT, TARGET, TOP_WORDS } from './memory';
import { computeMidstate, headerMeetsTarget } from './sha256';
import { hashTopWordsScalar, hashTopWordsSimd, precomputeHeader, SCALAR_STREAMS, SIMD_STREAMS } from './generated/header-scan';

/**
 * Scan nonces start .. start+count-1 of HEADER (start + count ≤ 2^32: the caller splits wrapping
 * ranges). Returns 1 and writes [nonce, hashed] to RESULT for the first nonce whose SHA-256d ≤ TARGET;
 * returns 0 when none does (all `count` nonces hashed).
 */
export function scanHeader(start: u32, count: u32): i32 {
  computeMidstate();
  precomputeHeader(
    load<u32>(MIDSTATE, 0), load<u32>(MIDSTATE, 4), load<u32>(MIDSTATE, 8), load<u32>(MIDSTATE, 12),
    load<u32>(MIDSTATE, 16), load<u32>(MIDSTATE, 20), load<u32>(MIDSTATE, 24), load<u32>(MIDSTATE, 28),
    bswap<u32>(load<u32>(HEADER, 64)), bswap<u32>(load<u32>(HEADER, 68)), bswap<u32>(load<u32>(HEADER, 72)),
  );
  const step: u32 = ASC_FEATURE_SIMD ? 4 * SIMD_STREAMS : SCALAR_STREAMS;
  const whole = count - count % step;
  const index = ASC_FEATURE_SIMD ? scanVectors(start, whole) : scanScalars(start, whole);
  if (index >= 0) return found(start + <u32>index, start);
  // The last count % step nonces, one at a time with the exact check.
  for (let nonce = start + whole, left = count - whole; left > 0; nonce++, left--) {
    if (headerMeetsTarget(nonce)) return found(nonce, start);
  }
  return 0;
}

/**
 * Groups of four nonces in the lanes of a v128, SIMD_STREAMS groups per step. The generated body
 * leaves its results in TOP_WORDS rather than returning them: for the scalar build, returning the
 * word measured 5-30 % slower (V8 allocated registers worse across the 3,000-line body).
 */
function scanVectors(start: u32, count: u32): i32 {
  const targetTop = i32x4.splat(load<u32>(TARGET, 28));
  for (let done: u32 = 0; done < count; done += 4 * SIMD_STREAMS) {
    const nonce = start + done;
    const lanes = i32x4.add(i32x4.splat(nonce), i32x4(0, 1, 2, 3));
    const four = i32x4.splat(4);
    // The nonce is stored little-endian; SHA-256 reads message words big-endian.
    if (SIMD_STREAMS == 1) hashTopWordsSimd(bigEndian(lanes));
    else if (SIMD_STREAMS == 2) hashTopWordsSimd(bigEndian(lanes), bigEndian(i32x4.add(lanes, four)));
    let pass = i32x4.splat(0);
    for (let s: u32 = 0; s < SIMD_STREAMS; s++) {
      // The hash's top 32 bits, as a number, are its last word byte-swapped; compare unsigned.
      pass = v128.or(pass, i32x4.le_u(bigEndian(v128.load(TOP_WORDS + (s << 4))), targetTop));
    }
    if (v128.any_true(pass)) {
      for (let i: u32 = 0; i < 4 * SIMD_STREAMS; i++) if (headerMeetsTarget(nonce + i)) return <i32>(done + i);
    }
  }
  return -1;
}

/** SCALAR_STREAMS nonces per step, one per stream. */
function scanScalars(start: u32, count: u32): i32 {
  const targetTop = load<u32>(TARGET, 28);
  for (let done: u32 = 0; done < count; done += SCALAR_STREAMS) {
    const nonce = start + done;
    if (SCALAR_STREAMS == 1) hashTopWordsScalar(bswap<u32>(nonce));
    else if (SCALAR_STREAMS == 2) hashTopWordsScalar(bswap<u32>(nonce), bswap<u32>(nonce + 1));
    for (let s: u32 = 0; s < SCALAR_STREAMS; s++) {
      if (bswap<u32>(load<u32>(TOP_WORDS + (s << 2))) <= targetTop && headerMeetsTarget(nonce + s)) return <i32>(done + s);
    }
  }
  return -1;
}

// @ts-ignore: decorator
@inline function bigEndian(words: v128): v128 {
  return i8x16.shuffle(words, words, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
}

function found(nonce: u32, start: u32): i32 {
  store<u32>(RESULT, nonce, 0);
  store<u32>(RESULT, nonce - start + 1, 4);
  return 1;
}
