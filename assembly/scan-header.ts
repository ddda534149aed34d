// The nonce scan over an 80-byte header: SHA-256d of each nonce, compared with the target.
// The per-nonce arithmetic is generated (generated/header-scan.ts, by scripts/kernel-codegen.mjs);
// this file holds the loops, the early exit and the result.
import { HEADER, MIDSTATE, RESULT, TARGET } from './memory';
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
  if (ASC_FEATURE_SIMD) return scanFourAtATime(start, count);
  return scanOneAtATime(start, count, start);
}

/** Four nonces per step in the lanes of a v128; the last count % 4 go one at a time. */
function scanFourAtATime(start: u32, count: u32): i32 {
  const targetTop = i32x4.splat(load<u32>(TARGET, 28));
  let nonce = start;
  let left = count;
  while (left >= 4) {
    const lanes = i32x4.add(i32x4.splat(nonce), i32x4(0, 1, 2, 3));
    // The nonce is stored little-endian; SHA-256 reads message words big-endian.
    const words = i8x16.shuffle(lanes, lanes, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    const top = hashTopWordSimd(words);
    // The hash's top 32 bits, as a number, are its last word byte-swapped; compare unsigned.
    const topAsNumber = i8x16.shuffle(top, top, 3, 2, 1, 0, 7, 6, 5, 4, 11, 10, 9, 8, 15, 14, 13, 12);
    if (v128.any_true(i32x4.le_u(topAsNumber, targetTop))) {
      for (let lane: u32 = 0; lane < 4; lane++) {
        if (headerMeetsTarget(nonce + lane)) return found(nonce + lane, start);
      }
    }
    nonce += 4;
    left -= 4;
  }
  return scanOneAtATime(nonce, left, start);
}

function scanOneAtATime(from: u32, count: u32, start: u32): i32 {
  const targetTop = load<u32>(TARGET, 28);
  let nonce = from;
  for (let left = count; left > 0; left--) {
    if (bswap<u32>(hashTopWordScalar(bswap<u32>(nonce))) <= targetTop && headerMeetsTarget(nonce)) {
      return found(nonce, start);
    }
    nonce++;
  }
  return 0;
}

function found(nonce: u32, start: u32): i32 {
  store<u32>(RESULT, nonce, 0);
  store<u32>(RESULT, nonce - start + 1, 4);
  return 1;
}
