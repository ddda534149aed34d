import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { INITIAL_STATE } from '../../src/kernel/sha256-constants.js';
import { randomBytes, referenceSha256d, withNonce } from './reference.js';

// The kernel generator (scripts/) is plain JavaScript that Node runs at build time; these are the
// slices of its modules the tests use.
interface WordNode {
  id: number;
  op: 'lit' | 'input' | 'add' | 'xor' | 'and' | 'shr' | 'rotr';
  args: WordNode[];
  /** A literal's value, an input's name, a shift's count. */
  imm: number | string;
  kind: 'lit' | 'const' | 'var';
}
interface WordGraph {
  nodes: WordNode[];
  literal(value: number): WordNode;
}
interface Capacity {
  words: number;
  precomputed: number;
}
const generator = <T>(path: string): Promise<T> => import(new URL(`../../scripts/${path}`, import.meta.url).href);
const { WordGraph } = await generator<{ WordGraph: new () => WordGraph }>('kernel-codegen/word-graph.mjs');
const { compress, headerHashGraph } = await generator<{
  compress(g: WordGraph, state: WordNode[], words: WordNode[], hash: number): WordNode[];
  headerHashGraph(): { graph: WordGraph; output: WordNode; digest: WordNode[] };
}>('kernel-codegen/sha256-graph.mjs');
const { readMemoryCapacities } = await generator<{ readMemoryCapacities(source?: string): Capacity }>('kernel-codegen/kernel-sources.mjs');
const { generateHeaderScan } = await generator<{ generateHeaderScan(capacity?: Capacity): { counts: { perHeaderSlots: number } } }>('kernel-codegen.mjs');

/** Every node's value, in creation order (a node's arguments come before it), from the named inputs. */
function evaluate(graph: WordGraph, inputs: Record<string, number>): Uint32Array {
  const values = new Uint32Array(graph.nodes.length);
  for (const n of graph.nodes) values[n.id] = valueOf(n, inputs, n.args.map((arg) => values[arg.id]!));
  return values;
}

function valueOf(n: WordNode, inputs: Record<string, number>, [a = 0, b = 0]: number[]): number {
  const k = n.imm as number;
  switch (n.op) {
    case 'lit': return k;
    case 'input': return inputs[n.imm as string]!;
    case 'add': return a + b;
    case 'xor': return a ^ b;
    case 'and': return a & b;
    case 'shr': return a >>> k;
    case 'rotr': return (a >>> k) | (a << (32 - k));
  }
}

/** Big-endian 32-bit words of some bytes, and back. */
const words = (bytes: Uint8Array) => Array.from({ length: bytes.length / 4 }, (_, i) => Buffer.from(bytes).readUInt32BE(i * 4));
const bytesOf = (values: number[]) => Buffer.from(new Uint8Array(new Uint32Array(values.map(swap32)).buffer));
const swap32 = (v: number) => (((v & 0xff) << 24) | ((v & 0xff00) << 8) | ((v >>> 8) & 0xff00) | (v >>> 24)) >>> 0;

/** One compression of 16 literal words from the IV: the graph folds it all, down to 8 literals. */
function foldedCompression(block: Uint8Array): number[] {
  const g = new WordGraph();
  const out = compress(g, INITIAL_STATE.map((v) => g.literal(v)), words(block).map((w) => g.literal(w)), 0);
  expect(out.every((n) => n.kind === 'lit')).toBe(true);
  return out.map((n) => n.imm as number);
}

/** The header graph's SHA-256d of `header` with `nonce`, its inputs prepared as the kernel prepares them. */
function graphHash(header: Uint8Array, nonce: number): { digest: Buffer; output: number } {
  const { graph, output, digest } = headerHashGraph();
  const midstate = foldedCompression(header.subarray(0, 64));
  const tail = words(header.subarray(64, 76));
  const inputs: Record<string, number> = { nonce: Buffer.from(withNonce(header, nonce)).readUInt32BE(76) };
  midstate.forEach((v, i) => (inputs[`mid${i}`] = v));
  tail.forEach((v, i) => (inputs[`tail${i}`] = v));
  const values = evaluate(graph, inputs);
  return { digest: bytesOf(digest.map((n) => values[n.id]!)), output: values[output.id]! };
}

describe('the kernel generator', () => {
  it('folds a compression of literal words into the SHA-256 node:crypto computes', () => {
    const random = randomBytes(0xc0de);
    for (const message of [Buffer.from('abc'), Buffer.alloc(0), Buffer.from(random(55))]) {
      const block = Buffer.alloc(64);
      message.copy(block);
      block[message.length] = 0x80;
      block.writeUInt32BE(message.length * 8, 60);
      expect(bytesOf(foldedCompression(block)).toString('hex')).toBe(createHash('sha256').update(message).digest('hex'));
    }
  });

  it("its header graph, evaluated word by word, is node:crypto's SHA-256d, and its output the hash's top word", () => {
    const genesis = Buffer.from(
      '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c',
      'hex',
    );
    const mined = graphHash(genesis, 2083236893);
    expect(Buffer.from(mined.digest).reverse().toString('hex')).toBe('000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f');
    const random = randomBytes(0x9e11);
    for (const [header, nonce] of [[genesis, 0], [random(80), 1], [random(80), 0xffffffff], [random(80), 0x01020304]] as const) {
      const { digest, output } = graphHash(header, nonce);
      const expected = referenceSha256d(withNonce(header, nonce));
      expect(digest.toString('hex')).toBe(expected.toString('hex'));
      // The last state word, big-endian: its bytes are the hash's top 32 bits read little-endian.
      expect(output).toBe(expected.readUInt32BE(28));
    }
  });

  it('reads the memory capacities from assembly/memory.ts and refuses a layout that does not fit them', () => {
    const source = readFileSync(new URL('../../assembly/memory.ts', import.meta.url), 'utf8');
    const real = readMemoryCapacities(source);
    expect(readMemoryCapacities(source.replace(/WORDS_CAPACITY: i32 = \d+;/, 'WORDS_CAPACITY: i32 = 7;'))).toEqual({ ...real, words: 7 });
    expect(() => readMemoryCapacities(source.replace('memory.data(WORDS_CAPACITY * 16, 16)', 'memory.data(1024 * 16, 16)'))).toThrow(
      /WORDS must be sized by WORDS_CAPACITY/,
    );
    expect(() => readMemoryCapacities(source.replace(/export const PRECOMPUTED_CAPACITY.*\n/, ''))).toThrow(/PRECOMPUTED_CAPACITY/);

    const { counts } = generateHeaderScan(real);
    expect(counts.perHeaderSlots).toBeLessThanOrEqual(real.precomputed);
    expect(() => generateHeaderScan({ ...real, words: 100 })).toThrow(/raise WORDS_CAPACITY/);
    expect(() => generateHeaderScan({ ...real, precomputed: counts.perHeaderSlots - 1 })).toThrow(/raise PRECOMPUTED_CAPACITY/);
  });
});
