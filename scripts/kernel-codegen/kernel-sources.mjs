// What the generator reads from the kernel's own sources instead of copying it: the capacities of
// the memory regions the generated scan writes (assembly/memory.ts declares them, once).
import { readFileSync } from 'node:fs';

const MEMORY_SOURCE = new URL('../../assembly/memory.ts', import.meta.url);

/** The capacities of WORDS (v128 words) and PRECOMPUTED (u32 words), as assembly/memory.ts declares them. */
export function readMemoryCapacities(source = readFileSync(MEMORY_SOURCE, 'utf8')) {
  return {
    words: capacity(source, 'WORDS', 'WORDS_CAPACITY', 16),
    precomputed: capacity(source, 'PRECOMPUTED', 'PRECOMPUTED_CAPACITY', 4),
  };
}

/** `export const NAME: i32 = N;`, and the region sized by it, or an error saying what is missing. */
function capacity(source, region, name, wordBytes) {
  const declared = new RegExp(`^export const ${name}: i32 = (\\d+);$`, 'm').exec(source);
  if (!declared) throw new Error(`assembly/memory.ts: no "export const ${name}: i32 = N;" to read the ${region} capacity from`);
  if (!source.includes(`export const ${region} = memory.data(${name} * ${wordBytes}, 16);`)) {
    throw new Error(`assembly/memory.ts: ${region} must be sized by ${name} (memory.data(${name} * ${wordBytes}, 16))`);
  }
  return Number(declared[1]);
}
