// The carechain kernel's exports. One ABI for both builds (SIMD and scalar); see src/kernel/kernel.ts.
import {
  DIGEST, HEADER, INPUT, INPUT_CAPACITY, PUZZLE_PREFIX, PUZZLE_PREFIX_CAPACITY, RESULT, TARGET,
} from './memory';

export { sha256Init, sha256Update, sha256Final } from './sha256';
export { scanHeader } from './scan-header';
export { scanPuzzle } from './puzzle';

export function inputPtr(): usize { return INPUT; }
export function inputCapacity(): i32 { return INPUT_CAPACITY; }
export function digestPtr(): usize { return DIGEST; }
export function headerPtr(): usize { return HEADER; }
export function targetPtr(): usize { return TARGET; }
export function resultPtr(): usize { return RESULT; }
export function puzzlePrefixPtr(): usize { return PUZZLE_PREFIX; }
export function puzzlePrefixCapacity(): i32 { return PUZZLE_PREFIX_CAPACITY; }
