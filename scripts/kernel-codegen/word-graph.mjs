// Layer 1 of the kernel generator: a graph of 32-bit word operations. Every value is a node that
// knows whether it is a literal, per-header ("const") or per-nonce ("var"); literals fold as the
// graph is built, zero words vanish, and equal expressions are one node (structural sharing).
// It knows nothing of SHA-256 (sha256-graph.mjs) nor of the code emitted from it (emit.mjs).

/** A graph of 32-bit word operations with literal folding and structural sharing. */
export class WordGraph {
  /** Every node, in creation order: a node's arguments always come before it. */
  nodes = [];
  /** Node ids at which a round starts: the emitted code is split into blocks there. */
  roundStarts = new Set();
  /** The round being described ({ hash, t }): every node made meanwhile is tagged with it. */
  round = null;
  /** Placed words by `${hash}:${role}:${t}` (see compress in sha256-graph.mjs). */
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
