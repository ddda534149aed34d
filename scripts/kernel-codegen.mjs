// Generates the AssemblyScript nonce-scan loop of the SHA-256d kernel from one description of the
// algorithm, for two back ends: 4-lane SIMD (v128) and scalar (i32).
//
// Why generate: SHA-256d of an 80-byte header is mostly nonce-independent. The first 64 bytes give a
// midstate; in the second block only word 3 (the nonce) varies; the padding words are constants or
// zero; the second hash starts from the fixed IV and only its last word decides most nonces. Working
// all of that out by hand, twice, for 125 rounds, is error-prone. Here every value is a node in a
// graph that knows whether it is a literal, per-header ("const") or per-nonce ("var"):
//   - literals fold at generation time, zero message words vanish;
//   - const nodes are computed once per header by a scalar `precompute` function and kept in linear
//     memory; the loop loads them where it uses them (DESIGN.md: V8 spills loop-invariant locals);
//   - only var nodes reachable from the output (the second hash's last word) are emitted, so the last
//     three rounds and every unused half-round disappear by themselves.

const K = [
  0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
  0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
  0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
  0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
  0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
  0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
  0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
  0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
];
const IV = [0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19];

/** A graph of 32-bit word operations with literal folding and structural sharing. */
class WordGraph {
  nodes = [];
  /** Node ids at which a round starts: the emitted code is split into blocks there. */
  roundStarts = new Set();
  #shared = new Map();

  literal(value) {
    return this.#intern({ op: 'lit', args: [], imm: value >>> 0, kind: 'lit', depth: 0 });
  }
  input(name, kind) {
    return this.#intern({ op: 'input', args: [], imm: name, kind, depth: 0 });
  }

  xor(a, b) {
    if (isLit(a) && isLit(b)) return this.literal(a.imm ^ b.imm);
    if (isZero(a)) return b;
    if (isZero(b)) return a;
    if (a === b) return this.literal(0);
    return this.#binary('xor', a, b);
  }
  and(a, b) {
    if (isLit(a) && isLit(b)) return this.literal(a.imm & b.imm);
    if (isZero(a) || isZero(b)) return this.literal(0);
    return this.#binary('and', a, b);
  }
  shr(a, n) {
    return isLit(a) ? this.literal(a.imm >>> n) : this.#unary('shr', a, n, 1);
  }
  rotr(a, n) {
    return isLit(a) ? this.literal((a.imm >>> n) | (a.imm << (32 - n))) : this.#unary('rotr', a, n, 2);
  }

  /**
   * The sum of several words. Literals and per-header terms are summed apart into one const, so the
   * loop pays one add for all of them; a term that is itself (var + const) is opened up so its const
   * joins the others. Var terms are paired shallowest first, which keeps long chains off the
   * critical path (h + K + W is ready long before Σ1(e) + Ch).
   */
  sum(...terms) {
    const hasFixed = terms.some((t) => t.kind !== 'var');
    const leaves = hasFixed ? terms.flatMap((t) => this.#openSum(t)) : terms;
    const fixed = leaves.filter((t) => t.kind !== 'var');
    const vars = leaves.filter((t) => t.kind === 'var');
    let literal = 0;
    const consts = [];
    for (const t of fixed) {
      if (t.kind === 'lit') literal = (literal + t.imm) >>> 0;
      else consts.push(t);
    }
    let constPart = consts.reduce((acc, t) => (acc ? this.#add(acc, t) : t), null);
    if (literal !== 0 || (!constPart && vars.length === 0)) {
      constPart = constPart ? this.#add(constPart, this.literal(literal)) : this.literal(literal);
    }
    const pending = constPart ? [...vars, constPart] : [...vars];
    while (pending.length > 1) {
      pending.sort((x, y) => x.depth - y.depth || x.id - y.id);
      const [a, b] = pending.splice(0, 2);
      pending.push(this.#add(a, b));
    }
    return pending[0];
  }

  #openSum(t) {
    if (t.op !== 'add' || t.kind !== 'var') return [t];
    const [a, b] = t.args;
    if (a.kind !== 'var') return [a, ...this.#openSum(b)];
    if (b.kind !== 'var') return [...this.#openSum(a), b];
    return [t];
  }

  #add(a, b) {
    if (isLit(a) && isLit(b)) return this.literal(a.imm + b.imm);
    if (isZero(a)) return b;
    if (isZero(b)) return a;
    return this.#binary('add', a, b);
  }
  #binary(op, a, b) {
    const [x, y] = a.id <= b.id ? [a, b] : [b, a];
    return this.#intern({ op, args: [x, y], imm: 0, kind: joinKind(x, y), depth: 1 + Math.max(x.depth, y.depth) });
  }
  #unary(op, a, n, cost) {
    return this.#intern({ op, args: [a], imm: n, kind: a.kind, depth: cost + a.depth });
  }
  #intern(node) {
    const key = `${node.op}:${node.imm}:${node.args.map((a) => a.id).join(',')}`;
    const known = this.#shared.get(key);
    if (known) return known;
    node.id = this.nodes.length;
    this.nodes.push(node);
    this.#shared.set(key, node);
    return node;
  }
}

const isLit = (n) => n.kind === 'lit';
const isZero = (n) => isLit(n) && n.imm === 0;
const joinKind = (a, b) => (a.kind === 'var' || b.kind === 'var' ? 'var' : a.kind === 'const' || b.kind === 'const' ? 'const' : 'lit');

/** One SHA-256 compression of `words` (16 nodes) from `state` (8 nodes); returns the 8 output words. */
function compress(g, state, words) {
  const bigSigma0 = (x) => g.xor(g.xor(g.rotr(x, 2), g.rotr(x, 13)), g.rotr(x, 22));
  const bigSigma1 = (x) => g.xor(g.xor(g.rotr(x, 6), g.rotr(x, 11)), g.rotr(x, 25));
  const sigma0 = (x) => g.xor(g.xor(g.rotr(x, 7), g.rotr(x, 18)), g.shr(x, 3));
  const sigma1 = (x) => g.xor(g.xor(g.rotr(x, 17), g.rotr(x, 19)), g.shr(x, 10));
  // Ch = g ^ (e & (f ^ g)); Maj = b ^ ((a ^ b) & (b ^ c)), where b ^ c is the last round's a ^ b.
  const choose = (e, f, h) => g.xor(h, g.and(e, g.xor(f, h)));
  const majority = (a, b, c) => g.xor(b, g.and(g.xor(a, b), g.xor(b, c)));

  const w = [...words];
  const makeWord = (t) => {
    w[t] = g.sum(sigma1(w[t - 2]), w[t - 7], sigma0(w[t - 15]), w[t - 16]);
    w[t].inMemory = w[t].kind === 'var';
  };
  let [a, b, c, d, e, f, gg, h] = state;
  for (let t = 0; t < 64; t++) {
    g.roundStarts.add(g.nodes.length);
    // Message words are made SCHEDULE_LEAD rounds before their use, off the round's critical path.
    if (t + SCHEDULE_LEAD >= 16 && t + SCHEDULE_LEAD < 64) makeWord(t + SCHEDULE_LEAD);
    // A message word is read up to 16 rounds after it is made: more live values than x86 has
    // registers. Keeping words in memory (stored once, loaded at each use) leaves the registers
    // to the eight state words; V8's own spilling of the same values measured far worse.
    if (t < 16) w[t].inMemory = w[t].kind === 'var';
    // Vector operations take 2 cycles on this machine (measured) and a round's e feeds the next Σ1(e):
    // a latency chain. So h + K + W + Ch is summed before Σ1(e) joins. (Adding Σ1 last to both d and
    // T2 as well shortened the chain by an add but cost one more per round: measured 2 % slower.)
    const early = g.sum(h, g.literal(K[t]), w[t], choose(e, f, gg));
    const t1 = g.sum(early, bigSigma1(e));
    const newE = g.sum(d, t1);
    const newA = g.sum(t1, g.sum(majority(a, b, c), bigSigma0(a)));
    newE.inMemory = newA.inMemory = true;
    [h, gg, f, e, d, c, b, a] = [gg, f, e, newE, c, b, a, newA];
  }
  return [a, b, c, d, e, f, gg, h].map((x, i) => g.sum(state[i], x));
}

/**
 * The graph of one nonce's SHA-256d header hash, from the per-header inputs (midstate mid0..7, the
 * header's words 16..18 tail0..2) and the per-nonce input (the nonce as a big-endian message word).
 * Returns the last word of the second hash: it holds the top 32 bits of the hash read as a number.
 */
function headerHashGraph() {
  const g = new WordGraph();
  const midstate = IV.map((_, i) => g.input(`mid${i}`, 'const'));
  const tail = [0, 1, 2].map((i) => g.input(`tail${i}`, 'const'));
  const zero = g.literal(0);
  // Second block of an 80-byte message: 16 bytes of header, 0x80 padding, zeros, length 640 bits.
  const block = [...tail, g.input('nonce', 'var'), g.literal(0x80000000), ...Array(10).fill(zero), g.literal(640)];
  const first = compress(g, midstate, block);
  // Second hash: a 32-byte message, padding, length 256 bits.
  const second = compress(g, IV.map((v) => g.literal(v)), [...first, g.literal(0x80000000), ...Array(6).fill(zero), g.literal(256)]);
  return { graph: g, output: second[7] };
}

/** Nodes the output depends on, and which per-header values the loop must read from memory. */
function plan(output) {
  const live = new Set();
  const stack = [output];
  while (stack.length) {
    const n = stack.pop();
    if (live.has(n)) continue;
    live.add(n);
    stack.push(...n.args);
  }
  const ordered = [...live].sort((a, b) => a.id - b.id);
  const slots = new Map();
  for (const n of ordered) {
    if (n.kind !== 'var') continue;
    for (const a of n.args) if (a.kind !== 'var' && !slots.has(a)) slots.set(a, slots.size);
  }
  return { ordered, slots };
}

const SCHEDULE_LEAD = 4;
const WORDS_CAPACITY = 1024; // assembly/memory.ts: WORDS
const hex = (v) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** AssemblyScript for the per-header precompute: every const node the loop needs, stored in a slot. */
function emitPrecompute(ordered, slots) {
  const lines = [];
  const ref = (n) => (n.kind === 'lit' ? `<u32>${hex(n.imm)}` : n.op === 'input' ? n.imm : `c${n.id}`);
  for (const n of ordered) {
    if (n.kind !== 'const' || n.op === 'input') continue;
    lines.push(`  const c${n.id}: u32 = ${scalarExpr(n, ref)};`);
  }
  for (const [n, slot] of slots) lines.push(`  store<u32>(PRECOMPUTED, ${ref(n)}, ${slot * 4});`);
  return lines;
}

function scalarExpr(n, ref) {
  const [a, b] = n.args.map(ref);
  switch (n.op) {
    case 'add': return `${a} + ${b}`;
    case 'xor': return `${a} ^ ${b}`;
    case 'and': return `${a} & ${b}`;
    case 'shr': return `${a} >>> ${n.imm}`;
    case 'rotr': return `rotr<u32>(${a}, ${n.imm})`;
  }
  throw new Error(`no scalar form for ${n.op}`);
}

function simdExpr(n, ref) {
  const [a, b] = n.args.map(ref);
  switch (n.op) {
    case 'add': return `i32x4.add(${a}, ${b})`;
    case 'xor': return `v128.xor(${a}, ${b})`;
    case 'and': return `v128.and(${a}, ${b})`;
    case 'shr': return `i32x4.shr_u(${a}, ${n.imm})`;
    case 'rotr': return `v128.or(i32x4.shr_u(${a}, ${n.imm}), i32x4.shl(${a}, ${32 - n.imm}))`;
  }
  throw new Error(`no SIMD form for ${n.op}`);
}

/**
 * AssemblyScript for the per-nonce body: each var node once, in creation (round) order.
 *
 * V8's optimizing compiler schedules pure arithmetic as late as it can, which here means after every
 * load: measured, that spilled ~2,400 vectors per step. So the body is cut into one block per round
 * (a branch on an always-zero word), and each round's results (new a, new e, message words) go to
 * memory and are loaded once per block where used: memory traffic pins every round's arithmetic to
 * its own block, and no value stays live in a register beyond the round that needs it.
 */
function emitBody(ordered, slots, output, backend, roundStarts) {
  const lines = [];
  const simd = backend === 'simd';
  const stored = new Map(); // node -> memory slot
  let loaded = new Map(); // node -> local holding it in the current block
  let madeInBlock = []; // stored nodes computed in the current block
  const ref = (n) => {
    if (n.kind === 'var' && !stored.has(n)) return n.op === 'input' ? n.imm : `n${n.id}`;
    const known = loaded.get(n);
    if (known) return known;
    const name = `m${lines.length}`;
    const load = stored.has(n)
      ? simd ? `v128.load(WORDS, ${stored.get(n) * 16})` : `load<u32>(WORDS, ${stored.get(n) * 4})`
      : simd ? `v128.load32_splat(PRECOMPUTED, ${slots.get(n) * 4})` : `load<u32>(PRECOMPUTED, ${slots.get(n) * 4})`;
    lines.push(`    const ${name} = ${load};`);
    loaded.set(n, name);
    return name;
  };
  for (const n of ordered) {
    if (n.kind !== 'var' || n.op === 'input') continue;
    if (roundStarts.has(n.id)) {
      lines.push(`    if (load<u32>(BARRIER) != 0) store<u32>(BARRIER, ${n.id}, 4);`);
      // The last round's new a and e are used at once: keep them in registers (a store and a
      // reload costs 9 cycles on the critical path); older values come back from memory.
      loaded = new Map([...madeInBlock].map((m) => [m, `n${m.id}`]));
      madeInBlock = [];
    }
    const expr = simd ? simdExpr(n, ref) : `<u32>(${scalarExpr(n, ref)})`;
    lines.push(`    const n${n.id} = ${expr};`);
    if (n.inMemory) {
      stored.set(n, stored.size);
      lines.push(simd ? `    v128.store(WORDS, n${n.id}, ${stored.get(n) * 16});` : `    store<u32>(WORDS, n${n.id}, ${stored.get(n) * 4});`);
      loaded.set(n, `n${n.id}`);
      madeInBlock.push(n);
    }
  }
  if (stored.size > WORDS_CAPACITY) throw new Error(`the scan needs ${stored.size} stored words; raise WORDS_CAPACITY`);
  return { lines, result: ref(output) };
}

/**
 * The generated module: the per-header precompute and the per-nonce body for both back ends.
 * The body leaves its result in TOP_WORD rather than returning it: for the scalar build, returning
 * the word measured 5-30 % slower (V8 allocated registers worse across the 3,000-line body). Two
 * nonce groups interleaved per call measured no faster either: more spills ate the overlap.
 */
export function generateHeaderScan() {
  const { graph, output } = headerHashGraph();
  const { ordered, slots } = plan(output);
  const simd = emitBody(ordered, slots, output, 'simd', graph.roundStarts);
  const scalar = emitBody(ordered, slots, output, 'scalar', graph.roundStarts);
  const varNodes = ordered.filter((n) => n.kind === 'var' && n.op !== 'input');
  const perNonceOps = varNodes.length + varNodes.filter((n) => n.op === 'rotr').length * 2;
  const source = `// GENERATED by scripts/kernel-codegen.mjs — do not edit; change the generator.
// Word operations per step (4 nonces in SIMD, 1 in scalar): ${perNonceOps}.
import { BARRIER, PRECOMPUTED, PRECOMPUTED_CAPACITY, TOP_WORD, WORDS } from '../memory';

/** Fill the per-header slots from the midstate and the header's words 16..18 (big-endian). */
// prettier-ignore
export function precomputeHeader(mid0: u32, mid1: u32, mid2: u32, mid3: u32, mid4: u32, mid5: u32, mid6: u32, mid7: u32, tail0: u32, tail1: u32, tail2: u32): void {
  if (${slots.size} > PRECOMPUTED_CAPACITY) unreachable();
${emitPrecompute(ordered, slots).join('\n')}
}

/** The second hash's last word for four nonces (lanes: big-endian message words), into TOP_WORD. */
// prettier-ignore
@inline export function hashTopWordSimd(nonce: v128): void {
${simd.lines.join('\n')}
    v128.store(TOP_WORD, ${simd.result});
}

/** The second hash's last word for one nonce (a big-endian message word), into TOP_WORD. */
// prettier-ignore
@inline export function hashTopWordScalar(nonce: u32): void {
${scalar.lines.join('\n')}
    store<u32>(TOP_WORD, ${scalar.result});
}
`;
  return { source, counts: { perNonceOps, perHeaderSlots: slots.size } };
}
