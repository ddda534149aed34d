// Static buffers in linear memory, shared with JavaScript by address. Nothing in the kernel allocates:
// every hash reads and writes these fixed places (as @chainsafe/as-sha256 does).

/** Bytes JavaScript passes to sha256Update at a time. */
export const INPUT_CAPACITY: i32 = 65536;
export const INPUT = memory.data(INPUT_CAPACITY, 16);
/** The 32-byte digest of the last sha256Final. */
export const DIGEST = memory.data(32, 16);
/** The 80-byte header a scan works on (the nonce bytes are overwritten). */
export const HEADER = memory.data(80, 16);
/** The 32-byte little-endian target a scan compares with. */
export const TARGET = memory.data(32, 16);
/** A scan's result: [nonce u32, hashed u32]. */
export const RESULT = memory.data(8, 16);
/** The puzzle's prefix bytes. */
export const PUZZLE_PREFIX_CAPACITY: i32 = 4096;
export const PUZZLE_PREFIX = memory.data(PUZZLE_PREFIX_CAPACITY, 16);

/**
 * Per-header values of the generated scan, computed once per header (see kernel-codegen.mjs). The
 * generator reads this capacity and WORDS_CAPACITY from here (scripts/kernel-codegen/kernel-sources.mjs).
 */
export const PRECOMPUTED_CAPACITY: i32 = 256;
export const PRECOMPUTED = memory.data(PRECOMPUTED_CAPACITY * 4, 16);

/** Working space of the scalar compression: state (8 words) and message schedule (64 words). */
export const STATE = memory.data(32, 16);
export const SCHEDULE = memory.data(64 * 4, 16);
/** A 64-byte block being assembled (streaming hash, puzzle, full checks). */
export const BLOCK = memory.data(64, 16);
/** The midstate of the scanned header's first 64 bytes. */
export const MIDSTATE = memory.data(32, 16);
/** Message words of the generated scan (v128 each), stored once and loaded where used. */
export const WORDS_CAPACITY: i32 = 1024;
export const WORDS = memory.data(WORDS_CAPACITY * 16, 16);
/** Always zero: the generated scan branches on it between rounds (see kernel-codegen.mjs). */
export const BARRIER = memory.data(8, 16);
/** The generated scan's output: the second hash's last word (a v128 in SIMD, a u32 in scalar). */
export const TOP_WORD = memory.data(16, 16);
