import { BODY_MUTATION_REASONS, EARLY_REASONS, ensure, VerifyError, type RejectReason } from './errors.js';
import { nextBlockRules, type BlockEntry } from './block-index.js';
import { fromDisplayHex, toDisplayHex } from './hash.js';
import { headerHash, type BlockHeader } from './header.js';
import type { Network } from './network.js';
import { blockWork } from './target.js';
import { checkHeaderContext, checkProofOfWork } from './validate.js';

/**
 * Every block the node knows of — main chain, side branches, and headers whose bodies have not
 * arrived — as a tree of entries, with the failed ones remembered. Work is counted on headers, so
 * the node knows the best chain it has heard of (what sync downloads) before it holds it.
 *
 * Invariants: an entry with a body has a parent with a body (bodies are stored in order); an entry
 * is invalid when it or an ancestor failed, and so are all its descendants.
 */
export class BlockTree {
  private readonly entries = new Map<string, BlockEntry>();
  private readonly children = new Map<BlockEntry, BlockEntry[]>();
  /** Blocks that failed with a reason their header commits to, including ones never stored. */
  private readonly invalid: BoundedMap<string, RejectReason>;
  private best: BlockEntry;

  constructor(
    private readonly network: Network,
    readonly genesis: BlockEntry,
    invalidCapacity = 10_000,
  ) {
    this.entries.set(genesis.hash, genesis);
    this.best = genesis;
    this.invalid = new BoundedMap(invalidCapacity);
  }

  get(hash: string): BlockEntry | undefined {
    return this.entries.get(hash);
  }

  /** The entry with the most work whose chain is not known invalid (it may lack bodies). */
  get bestHeader(): BlockEntry {
    return this.best;
  }

  /** Why a block (by hash) is known invalid, if it is. */
  invalidReason(hash: string): RejectReason | undefined {
    const entry = this.entries.get(hash);
    if (entry?.status === 'invalid') return this.invalid.get(hash) ?? 'prev-blk-invalid';
    return this.invalid.get(hash);
  }

  /**
   * The entry for a header, validated against its parent: parent known and valid, proof of work,
   * bits by the retarget rule, time above the median of its ancestors and (given `now`) not too far
   * ahead. Returns the known entry when the header is already here. Throws a VerifyError; a header
   * that fails with a reason it commits to is remembered as invalid.
   */
  entryFor(header: BlockHeader, hash: string, now: number | undefined): BlockEntry {
    const known = this.entries.get(hash);
    if (known) {
      ensure(known.status !== 'invalid', this.invalidReason(hash) ?? 'prev-blk-invalid', `block ${hash} is known to be invalid`);
      return known;
    }
    const cached = this.invalid.get(hash);
    if (cached) throw new VerifyError(cached, `block ${hash} is known to be invalid`);
    const parentHash = toDisplayHex(header.prevHash);
    const parent = this.entries.get(parentHash);
    try {
      if (!parent) {
        if (this.invalid.get(parentHash)) throw new VerifyError('prev-blk-invalid', `parent ${parentHash} is invalid`);
        throw new VerifyError('prev-blk-not-found', `parent ${parentHash} unknown`);
      }
      ensure(parent.status !== 'invalid', 'prev-blk-invalid', `parent ${parent.hash} is invalid`);
      const target = checkProofOfWork(header, fromDisplayHex(hash), this.network);
      const rules = nextBlockRules(this.network, parent);
      checkHeaderContext(header, this.network, { expectedBits: rules.bits, medianTimePast: rules.medianTimePast, ...(now !== undefined ? { now } : {}) });
      return { hash, header, height: parent.height + 1, parent, totalWork: parent.totalWork + blockWork(target), offset: -1, status: 'header' };
    } catch (err) {
      if (err instanceof VerifyError) this.remember(hash, err.reason);
      throw err;
    }
  }

  /** Add a validated entry (from entryFor) to the tree; a no-op when it is already here. */
  add(entry: BlockEntry): BlockEntry {
    const known = this.entries.get(entry.hash);
    if (known) return known;
    this.entries.set(entry.hash, entry);
    if (entry.parent) {
      let siblings = this.children.get(entry.parent);
      if (!siblings) this.children.set(entry.parent, (siblings = []));
      siblings.push(entry);
    }
    if (entry.totalWork > this.best.totalWork) this.best = entry;
    return entry;
  }

  /**
   * A block failed: remember why (unless its body may merely have been mutated in transit, in which
   * case the same header with the right body is still valid) and mark its known descendants invalid.
   */
  reject(hash: string, reason: RejectReason): void {
    if (BODY_MUTATION_REASONS.has(reason) || EARLY_REASONS.has(reason)) return;
    this.remember(hash, reason);
    const entry = this.entries.get(hash);
    if (entry) this.markInvalid(entry);
  }

  /** Mark an entry and its descendants invalid (a branch that failed to connect). */
  markInvalid(entry: BlockEntry): void {
    const stack = [entry];
    let bestLost = false;
    for (let e = stack.pop(); e; e = stack.pop()) {
      if (e.status === 'invalid' && e !== entry) continue;
      e.status = 'invalid';
      if (e === this.best) bestLost = true;
      stack.push(...(this.children.get(e) ?? []));
    }
    if (bestLost || this.best.status === 'invalid') this.best = this.recomputeBest();
  }

  /**
   * Hashes of the bodies the best header chain still needs, oldest first, at most `max`: what sync
   * downloads next. Empty when the best header's chain is complete.
   */
  missingBodies(max: number): BlockEntry[] {
    const path: BlockEntry[] = [];
    for (let e: BlockEntry | null = this.best; e && e.status === 'header'; e = e.parent) path.push(e);
    return path.reverse().slice(0, max);
  }

  /** The children of an entry (side branches included). */
  childrenOf(entry: BlockEntry): readonly BlockEntry[] {
    return this.children.get(entry) ?? [];
  }

  /** Entries in the tree (all kinds). */
  get size(): number {
    return this.entries.size;
  }

  private remember(hash: string, reason: RejectReason): void {
    if (!EARLY_REASONS.has(reason)) this.invalid.set(hash, reason);
  }

  private recomputeBest(): BlockEntry {
    let best = this.genesis;
    for (const e of this.entries.values()) if (e.status !== 'invalid' && e.totalWork > best.totalWork) best = e;
    return best;
  }
}

/** The hash of a header in display order (as entries are keyed). */
export function hashOfHeader(header: BlockHeader): string {
  return toDisplayHex(headerHash(header));
}

/** A Map that forgets its oldest key beyond `capacity`. */
class BoundedMap<K, V> {
  private readonly map = new Map<K, V>();
  constructor(private readonly capacity: number) {}

  get(key: K): V | undefined {
    return this.map.get(key);
  }

  set(key: K, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    if (this.map.size > this.capacity) this.map.delete(this.map.keys().next().value as K);
  }
}
