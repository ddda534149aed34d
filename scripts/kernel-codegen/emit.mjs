// Layer 4 of the kernel generator: AssemblyScript text from the planned graph (layout.mjs), for two
// back ends, 4-lane SIMD (v128) and scalar (i32): the per-header precompute, the per-nonce body in
// round blocks, and the loops that run the rolled rounds.
import { ROUND_CONSTANTS as K } from '../../src/kernel/sha256-constants.ts';
import { ROLES, ROLLED_UNROLL, rolledRangeOf, slotOf } from './layout.mjs';
import { SCHEDULE_LEAD, sha256Functions } from './sha256-graph.mjs';

/** The word operations of each back end, as AssemblyScript. */
export const BACKENDS = {
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

export const hex = (v) => `0x${(v >>> 0).toString(16).padStart(8, '0')}`;

/** AssemblyScript for the per-header precompute: every const node the loop needs, stored in a slot. */
export function emitPrecompute(ordered, slots) {
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
export function roundConstantsData(backend) {
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
export function emitBody(ordered, slots, output, backend, graph) {
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
  return { lines, result: ref(output) };
}

function expr(n, ref, ops) {
  const [a, b] = n.args.map(ref);
  if (n.op === 'shr' || n.op === 'rotr') return ops[n.op](a, n.imm);
  if (n.op === 'add' || n.op === 'xor' || n.op === 'and') return ops[n.op](a, b);
  throw new Error(`no form for ${n.op}`);
}

/**
 * The loop running rounds from..to of one hash: each pass makes message word t + SCHEDULE_LEAD and
 * does round t, reading older words at fixed offsets from a pointer that moves down one word per round
 * (see slotOf). The same formulas as compress(); the newest a and e (and Maj's a ^ b) stay in loop
 * variables. Returns the variables holding the range's last a and e, for the straight code after it.
 */
function emitRolled({ hash, from, to }, graph, ops, ref, lines) {
  const { width: W, type } = ops;
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
