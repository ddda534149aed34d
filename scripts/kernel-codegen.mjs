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
//     three rounds and every unused half-round disappear by themselves;
//   - the middle rounds of each hash, where nothing folds any more, run as a small loop (ROLLED), so
//     the code fits the instruction caches.

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
  /** The round being described ({ hash, t }): every node made meanwhile is tagged with it. */
  round = null;
  /** Placed words by `${hash}:${role}:${t}` (see compress). */
  placed = new Map();
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
    node.round = this.round;
    this.nodes.push(node);
    this.#shared.set(key, node);
    return node;
  }
}

const isLit = (n) => n.kind === 'lit';
const isZero = (n) => isLit(n) && n.imm === 0;
const joinKind = (a, b) => (a.kind === 'var' || b.kind === 'var' ? 'var' : a.kind === 'const' || b.kind === 'const' ? 'const' : 'lit');

/**
 * SHA-256's functions over any word operations `o` (xor, and, rotr, shr): graph nodes in compress(),
 * AssemblyScript text in the rolled loops.
 */
function sha256Functions(o) {
  return {
    bigSigma0: (x) => o.xor(o.xor(o.rotr(x, 2), o.rotr(x, 13)), o.rotr(x, 22)),
    bigSigma1: (x) => o.xor(o.xor(o.rotr(x, 6), o.rotr(x, 11)), o.rotr(x, 25)),
    sigma0: (x) => o.xor(o.xor(o.rotr(x, 7), o.rotr(x, 18)), o.shr(x, 3)),
    sigma1: (x) => o.xor(o.xor(o.rotr(x, 17), o.rotr(x, 19)), o.shr(x, 10)),
    // Ch = g ^ (e & (f ^ g)); Maj = b ^ ((a ^ b) & (b ^ c)), where b ^ c is the last round's a ^ b.
    choose: (e, f, g) => o.xor(g, o.and(e, o.xor(f, g))),
    majority: (a, b, c) => o.xor(b, o.and(o.xor(a, b), o.xor(b, c))),
  };
}

/**
 * One SHA-256 compression (`hash` 0 or 1 of the SHA-256d) of `words` (16 nodes) from `state` (8 nodes);
 * returns the 8 output words. Each round's new a and e and each message word is tagged with its
 * place (hash, role, round): stored words live at fixed addresses, which the rolled rounds also use.
 */
function compress(g, state, words, hash) {
  const { bigSigma0, bigSigma1, sigma0, sigma1, choose, majority } = sha256Functions(g);

  const w = [...words];
  const place = (node, role, t) => {
    if (node.kind === 'var' && node.op !== 'input' && !node.place) {
      node.place = { hash, role, t };
      g.placed.set(`${hash}:${role}:${t}`, node);
    }
    return node;
  };
  const makeWord = (t) => {
    w[t] = place(g.sum(sigma1(w[t - 2]), w[t - 7], sigma0(w[t - 15]), w[t - 16]), 'w', t);
  };
  let [a, b, c, d, e, f, gg, h] = state;
  for (let t = 0; t < 64; t++) {
    g.roundStarts.add(g.nodes.length);
    g.round = { hash, t };
    // Message words are made SCHEDULE_LEAD rounds before their use, off the round's critical path.
    if (t + SCHEDULE_LEAD >= 16 && t + SCHEDULE_LEAD < 64) makeWord(t + SCHEDULE_LEAD);
    // A message word is read up to 16 rounds after it is made: more live values than x86 has
    // registers. Keeping words in memory (stored once, loaded at each use) leaves the registers
    // to the eight state words; V8's own spilling of the same values measured far worse.
    if (t < 16) place(w[t], 'w', t);
    // Vector operations take 2 cycles on this machine (measured) and a round's e feeds the next Σ1(e):
    // a latency chain. So h + K + W + Ch is summed before Σ1(e) joins. (Adding Σ1 last to both d and
    // T2 as well shortened the chain by an add but cost one more per round: measured 2 % slower.)
    const early = g.sum(h, g.literal(K[t]), w[t], choose(e, f, gg));
    const t1 = g.sum(early, bigSigma1(e));
    const newE = g.sum(d, t1);
    const newA = g.sum(t1, g.sum(majority(a, b, c), bigSigma0(a)));
    place(newA, 'a', t);
    place(newE, 'e', t);
    [h, gg, f, e, d, c, b, a] = [gg, f, e, newE, c, b, a, newA];
  }
  g.round = { hash, t: 64 };
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
  const first = compress(g, midstate, block, 0);
  // Second hash: a 32-byte message, padding, length 256 bits.
  const second = compress(g, IV.map((v) => g.literal(v)), [...first, g.literal(0x80000000), ...Array(6).fill(zero), g.literal(256)], 1);
  return { graph: g, output: second[7] };
}

/**
 * Rounds run by a loop rather than as straight-line code. The straight body of all 122 rounds is
 * ~43 KB of machine code, more than the 32 KB instruction cache and the op cache hold: measured, it
 * ran 2.3 vector operations per cycle where half of it, which fits, ran 3.2. From these rounds on,
 * every input of a round and of the message word it makes (t + SCHEDULE_LEAD) is a per-nonce word
 * in memory, so the rounds are all alike and one small loop body runs them. Straight code keeps the
 * rounds where folding pays: constant message words, padding zeros, the pruned last rounds.
 */
const ROLLED = [
  { hash: 0, from: 30, to: 59 },
  { hash: 1, from: 28, to: 54 },
]; // all straight: 7.1 MH/s (SIMD) and 3.2 (scalar); with these loops: 9.2 and 4.4
const rolledRangeOf = (n) =>
  n.round && ROLLED.find((r) => r.hash === n.round.hash && n.round.t >= r.from && n.round.t <= r.to);

/**
 * Where a placed word lives in WORDS, counted in words of the back end's width: a region per hash
 * and role, the newest round lowest. A loop walking a pointer down by one word per round then finds
 * every word it reads (older rounds) and writes (this round, the word made ahead) at a fixed,
 * non-negative offset from the pointer.
 */
const ROLES = ['a', 'e', 'w'];
const PLACED_WORDS = 2 * ROLES.length * 64;
const slotOf = ({ hash, role, t }) => (hash * ROLES.length + ROLES.indexOf(role)) * 64 + (63 - t);

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
    if (n.kind !== 'var' || rolledRangeOf(n)) continue;
    for (const a of n.args) if (a.kind !== 'var' && !slots.has(a)) slots.set(a, slots.size);
  }
  return { ordered, slots };
}

/** The rolled rounds' words must all be placed per-nonce words, or the loop body would be wrong. */
function checkRolled(graph) {
  for (const { hash, from, to } of ROLLED) {
    for (let t = from; t <= to; t++) {
      const made = t + SCHEDULE_LEAD;
      const needs = [['w', t], ['w', made], ['w', made - 2], ['w', made - 7], ['w', made - 15], ['w', made - 16]];
      for (let k = 0; k <= 4; k++) needs.push(['a', t - k], ['e', t - k]);
      for (const [role, at] of needs) {
        if (!graph.placed.has(`${hash}:${role}:${at}`)) {
          throw new Error(`rolled round ${t} of hash ${hash} needs ${role}[${at}] as a per-nonce word in memory`);
        }
      }
    }
  }
}

const SCHEDULE_LEAD = 4;
/**
 * Rounds per pass of a rolled loop. Measured (MH/s, SIMD): 1 → 7.9, 2 → 8.9, 3 → 9.3, 4 → 9.1,
 * 6 → 9.1: one round a pass pays the loop's own instructions and register shuffles every round.
 */
const ROLLED_UNROLL = 3;
const WORDS_CAPACITY = 1024; // assembly/memory.ts: WORDS
const hex = (v) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** The word operations of each back end, as AssemblyScript. */
const BACKENDS = {
  simd: {
    type: 'v128',
    width: 16,
    add: (a, b) => `i32x4.add(${a}, ${b})`,
    xor: (a, b) => `v128.xor(${a}, ${b})`,
    and: (a, b) => `v128.and(${a}, ${b})`,
    shr: (a, n) => `i32x4.shr_u(${a}, ${n})`,
    rotr: (a, n) => `v128.or(i32x4.shr_u(${a}, ${n}), i32x4.shl(${a}, ${32 - n}))`,
    load: (ptr, offset) => `v128.load(${ptr}, ${offset})`,
    store: (ptr, value, offset) => `v128.store(${ptr}, ${value}, ${offset})`,
    loadSplat: (ptr, offset) => `v128.load32_splat(${ptr}, ${offset})`,
  },
  scalar: {
    type: 'u32',
    width: 4,
    // Parenthesised: nested forms (the rolled rounds) must not lean on operator precedence.
    add: (a, b) => `(${a} + ${b})`,
    xor: (a, b) => `(${a} ^ ${b})`,
    and: (a, b) => `(${a} & ${b})`,
    shr: (a, n) => `(${a} >>> ${n})`,
    rotr: (a, n) => `rotr<u32>(${a}, ${n})`,
    load: (ptr, offset) => `load<u32>(${ptr}, ${offset})`,
    store: (ptr, value, offset) => `store<u32>(${ptr}, ${value}, ${offset})`,
    loadSplat: (ptr, offset) => `load<u32>(${ptr}, ${offset})`,
  },
};

function expr(n, ref, ops) {
  const [a, b] = n.args.map(ref);
  if (n.op === 'shr' || n.op === 'rotr') return ops[n.op](a, n.imm);
  if (n.op === 'add' || n.op === 'xor' || n.op === 'and') return ops[n.op](a, b);
  throw new Error(`no form for ${n.op}`);
}

/** AssemblyScript for the per-header precompute: every const node the loop needs, stored in a slot. */
function emitPrecompute(ordered, slots) {
  const lines = [];
  const ref = (n) => (n.kind === 'lit' ? `<u32>${hex(n.imm)}` : n.op === 'input' ? n.imm : `c${n.id}`);
  for (const n of ordered) {
    if (n.kind !== 'const' || n.op === 'input') continue;
    lines.push(`  const c${n.id}: u32 = ${expr(n, ref, BACKENDS.scalar)};`);
  }
  for (const [n, slot] of slots) lines.push(`  store<u32>(PRECOMPUTED, ${ref(n)}, ${slot * 4});`);
  return lines;
}

/** The round constants as the rolled loops read them: newest round first, one per lane. */
function roundConstantsData(backend) {
  const lanes = backend === 'simd' ? 4 : 1;
  const words = [];
  for (let t = 63; t >= 0; t--) for (let i = 0; i < lanes; i++) words.push(hex(K[t]));
  return `memory.data<u32>([${words.join(', ')}], 16)`;
}

/**
 * AssemblyScript for the per-nonce body: each var node once, in creation (round) order, except the
 * rolled rounds, which one loop per range runs.
 *
 * V8's optimizing compiler schedules pure arithmetic as late as it can, which here means after every
 * load: measured, that spilled ~2,400 vectors per step. So the straight code is cut into one block per
 * round (a branch on an always-zero word), and each round's results (new a, new e, message words) go
 * to memory and are loaded once per block where used: memory traffic pins every round's arithmetic to
 * its own block, and no value stays live in a register beyond the round that needs it.
 */
function emitBody(ordered, slots, output, backend, graph) {
  const ops = BACKENDS[backend];
  const lines = [];
  let loaded = new Map(); // node -> local holding it in the current block
  let madeInBlock = []; // placed nodes computed in the current block
  let carried = new Map(); // a rolled range's last a and e, still in its loop variables
  const rolledDone = new Set();
  const ref = (n) => {
    const known = loaded.get(n);
    if (known) return known;
    if (n.kind === 'var' && n.op === 'input') return n.imm;
    if (n.kind === 'var' && !n.place) {
      if (!rolledRangeOf(n)) return `n${n.id}`;
      // Made inside a rolled range and not kept in memory (Maj's a ^ b): compute it again here.
      const name = `v${n.id}_${lines.length}`;
      lines.push(`    const ${name} = ${expr(n, ref, ops)};`);
      loaded.set(n, name);
      return name;
    }
    const name = `m${lines.length}`;
    const load = n.kind === 'var' ? ops.load('WORDS', slotOf(n.place) * ops.width) : ops.loadSplat('PRECOMPUTED', slots.get(n) * 4);
    lines.push(`    const ${name} = ${load};`);
    loaded.set(n, name);
    return name;
  };
  for (const n of ordered) {
    if (n.kind !== 'var' || n.op === 'input') continue;
    const range = rolledRangeOf(n);
    if (range) {
      if (!rolledDone.has(range)) {
        rolledDone.add(range);
        carried = emitRolled(range, graph, ops, ref, lines);
        loaded = new Map(carried);
        madeInBlock = [];
      }
      continue;
    }
    if (graph.roundStarts.has(n.id)) {
      lines.push(`    if (load<u32>(BARRIER) != 0) store<u32>(BARRIER, ${n.id}, 4);`);
      // The last round's new a and e are used at once: keep them in registers (a store and a
      // reload costs 9 cycles on the critical path); older values come back from memory.
      loaded = new Map([...madeInBlock.map((m) => [m, `n${m.id}`]), ...carried]);
      madeInBlock = [];
      carried = new Map();
    }
    lines.push(`    const n${n.id} = ${backend === 'simd' ? expr(n, ref, ops) : `<u32>(${expr(n, ref, ops)})`};`);
    if (n.place) {
      lines.push(`    ${ops.store('WORDS', `n${n.id}`, slotOf(n.place) * ops.width)};`);
      loaded.set(n, `n${n.id}`);
      madeInBlock.push(n);
    }
  }
  if (PLACED_WORDS > WORDS_CAPACITY) throw new Error(`the scan needs ${PLACED_WORDS} stored words; raise WORDS_CAPACITY`);
  return { lines, result: ref(output) };
}

/**
 * The loop running rounds from..to of one hash: each pass makes message word t + SCHEDULE_LEAD and
 * does round t, reading older words at fixed offsets from a pointer that moves down one word per round
 * (see slotOf). The same formulas as compress(); the newest a and e (and Maj's a ^ b) stay in loop
 * variables. Returns the variables holding the range's last a and e, for the straight code after it.
 */
function emitRolled({ hash, from, to }, graph, ops, ref, lines) {
  const { width: W, type } = ops;
  const rounds = to - from + 1;
  if (rounds % ROLLED_UNROLL !== 0) throw new Error(`rolled rounds ${from}..${to}: not a multiple of ${ROLLED_UNROLL}`);
  const placed = (role, t) => graph.placed.get(`${hash}:${role}:${t}`);
  // A pass runs rounds t .. t + ROLLED_UNROLL - 1; its pointer p is that of its last round,
  // (63 - last) * W, so the offset of role[t + k] is fixed and never negative.
  const at = (role, k) => ((hash * ROLES.length + ROLES.indexOf(role)) * 64 + ROLLED_UNROLL - 1 - k) * W;
  const { bigSigma0, bigSigma1, sigma0, sigma1, choose } = sha256Functions(ops);
  const [a, e, ab] = [`ra${hash}`, `re${hash}`, `rab${hash}`];
  const first = [placed('a', from - 1), placed('e', from - 1), placed('a', from - 2), placed('a', from - 3)].map(ref);
  const kTable = `ROUND_K_${type === 'v128' ? 'SIMD' : 'SCALAR'}`;
  const typed = (x) => (type === 'u32' ? `<u32>(${x})` : x);
  lines.push(
    `    // Rounds ${from}..${to} of hash ${hash + 1}: all alike, so one loop body runs them (ROLLED in the generator).`,
    `    let ${a}: ${type} = ${first[0]};`,
    `    let ${e}: ${type} = ${first[1]};`,
    `    let ${ab}: ${type} = ${typed(ops.xor(first[2], first[3]))};`,
    `    for (let p: i32 = ${(63 - (from + ROLLED_UNROLL - 1)) * W}; p >= ${(63 - to) * W}; p -= ${W * ROLLED_UNROLL}) {`,
    `      const at = WORDS + <usize>p;`,
    `      const k = ${kTable} + <usize>p;`,
  );
  // Round t + j of the pass: its words sit j words lower than round t's.
  for (let j = 0; j < ROLLED_UNROLL; j++) {
    const word = (role, k) => ops.load('at', at(role, k + j));
    lines.push(
      `      {`,
      `        const w2 = ${word('w', SCHEDULE_LEAD - 2)};`,
      `        const w15 = ${word('w', SCHEDULE_LEAD - 15)};`,
      `        const made = ${typed(ops.add(ops.add(typed(sigma1('w2')), word('w', SCHEDULE_LEAD - 7)), ops.add(typed(sigma0('w15')), word('w', SCHEDULE_LEAD - 16))))};`,
      `        ${ops.store('at', 'made', at('w', SCHEDULE_LEAD + j))};`,
      `        const b = ${word('a', -2)};`,
      `        const f = ${word('e', -2)};`,
      `        const g = ${word('e', -3)};`,
      `        const kw = ${typed(ops.add(ops.load('k', (ROLLED_UNROLL - 1 - j) * W), word('w', 0)))};`,
      `        const early = ${typed(ops.add(ops.add(word('e', -4), 'kw'), choose(e, 'f', 'g')))};`,
      `        const t1 = ${typed(ops.add('early', typed(bigSigma1(e))))};`,
      `        const newE = ${typed(ops.add(word('a', -4), 't1'))};`,
      `        const newAB = ${typed(ops.xor(a, 'b'))};`,
      `        const majority = ${typed(ops.xor('b', ops.and('newAB', ab)))}; // Maj with b ^ c carried`,
      `        const newA = ${typed(ops.add('t1', ops.add('majority', typed(bigSigma0(a)))))};`,
      `        ${ops.store('at', 'newA', at('a', j))};`,
      `        ${ops.store('at', 'newE', at('e', j))};`,
      `        ${a} = newA;`,
      `        ${e} = newE;`,
      `        ${ab} = newAB;`,
      `      }`,
    );
  }
  lines.push(`    }`);
  return new Map([
    [placed('a', to), a],
    [placed('e', to), e],
  ]);
}

/**
 * The generated module: the per-header precompute and the per-nonce body for both back ends.
 * The body leaves its result in TOP_WORD rather than returning it: for the scalar build, returning
 * the word measured 5-30 % slower (V8 allocated registers worse across the long body). Two
 * nonce groups interleaved per call measured no faster either: more spills ate the overlap.
 */
export function generateHeaderScan() {
  const { graph, output } = headerHashGraph();
  checkRolled(graph);
  const { ordered, slots } = plan(output);
  const simd = emitBody(ordered, slots, output, 'simd', graph);
  const scalar = emitBody(ordered, slots, output, 'scalar', graph);
  const varNodes = ordered.filter((n) => n.kind === 'var' && n.op !== 'input');
  const perNonceOps = varNodes.length + varNodes.filter((n) => n.op === 'rotr').length * 2;
  const source = `// GENERATED by scripts/kernel-codegen.mjs — do not edit; change the generator.
// Word operations per step (4 nonces in SIMD, 1 in scalar): ${perNonceOps}.
import { BARRIER, PRECOMPUTED, PRECOMPUTED_CAPACITY, TOP_WORD, WORDS } from '../memory';

// Round constants for the rolled rounds, newest round first (the loops walk their pointer down).
const ROUND_K_SIMD = ${roundConstantsData('simd')};
const ROUND_K_SCALAR = ${roundConstantsData('scalar')};

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
