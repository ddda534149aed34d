// The nonce scan over an 80-byte header: SHA-256d of each nonce, compared with the target.
// The per-nonce arithmetic is generated (generated/header-scan.ts, by scripts/kernel-codegen.mjs);
// this file holds the loops, the early exit and the result.
import { HEADER, MIDSTATE, RESULT, TARGET, TOP_WORD } from './memory';
import { computeMidstate, headerMeetsTarget } from './sha256';
import { hashTopWordScalar, hashTopWordSimd, precomputeHeader } from './generated/header-scan';

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
  const step: u32 = ASC_FEATURE_SIMD ? 4 : 1;
  const whole = count - count % step;
  const index = ASC_FEATURE_SIMD ? scanVectors(start, whole) : scanScalars(start, whole);
  if (index >= 0) return found(start + <u32>index, start);
  // The last count % step nonces, one at a time with the exact check.
  for (let nonce = start + whole, left = count - whole; left > 0; nonce++, left--) {
    if (headerMeetsTarget(nonce)) return found(nonce, start);
  }
  return 0;
}

/** Four nonces per step, in the lanes of a v128. */
function scanVectors(start: u32, count: u32): i32 {
  const targetTop = i32x4.splat(load<u32>(TARGET, 28));
  for (let done: u32 = 0; done < count; done += 4) {
    const nonce = start + done;
    // The nonce is stored little-endian; SHA-256 reads message words big-endian.
    hashTopWordSimd(bigEndian(i32x4.add(i32x4.splat(nonce), i32x4(0, 1, 2, 3))));
    // The hash's top 32 bits, as a number, are its last word byte-swapped; compare unsigned.
    if (v128.any_true(i32x4.le_u(bigEndian(v128.load(TOP_WORD)), targetTop))) {
      for (let i: u32 = 0; i < 4; i++) if (headerMeetsTarget(nonce + i)) return <i32>(done + i);
    }
  }
  return -1;
}

/** One nonce per step. */
function scanScalars(start: u32, count: u32): i32 {
  const targetTop = load<u32>(TARGET, 28);
  for (let done: u32 = 0; done < count; done++) {
    const nonce = start + done;
    hashTopWordScalar(bswap<u32>(nonce));
    if (bswap<u32>(load<u32>(TOP_WORD)) <= targetTop && headerMeetsTarget(nonce)) return <i32>done;
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
