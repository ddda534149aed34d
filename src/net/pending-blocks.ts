import { PENDING_MAX_BLOCKS, PENDING_MAX_BYTES, PENDING_MAX_PER_PEER, PENDING_TTL_MS } from './limits.js';

/** A block whose parent the chain does not have yet, held with who sent it. */
export interface PendingBlock {
  hash: string;
  parentHash: string;
  bytes: Uint8Array;
  /** The peer id it came from (scored when the block is finally judged). */
  from: string;
  at: number;
}

export interface PendingLimits {
  maxBlocks: number;
  maxBytes: number;
  maxPerPeer: number;
  ttlMs: number;
}

/**
 * The pending-block pool (issue 10 §3). A block whose parent is unknown is not the chain's business:
 * the chain rejects it with `prev-blk-not-found` and no penalty, and the network layer keeps it here
 * while it fetches the missing ancestors. When the parent's body is stored, its waiting children are
 * taken out and submitted in turn.
 *
 * Policy: at most 100 blocks and 16 MiB, at most 20 from any one peer, each for at most an hour;
 * when full, the oldest goes first. A peer cannot grow it (a 21st block from the same peer replaces
 * that peer's oldest), nor keep it forever, and an honest block lost from it is simply fetched again
 * by headers-first sync: the pool saves a round trip, it is never the only copy of anything.
 */
export class PendingBlocks {
  private readonly blocks = new Map<string, PendingBlock>();
  private readonly byParent = new Map<string, Set<string>>();
  private totalBytes = 0;

  constructor(
    private readonly limits: PendingLimits = { maxBlocks: PENDING_MAX_BLOCKS, maxBytes: PENDING_MAX_BYTES, maxPerPeer: PENDING_MAX_PER_PEER, ttlMs: PENDING_TTL_MS },
    private readonly now: () => number = Date.now,
  ) {}

  get size(): number {
    return this.blocks.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  has(hash: string): boolean {
    return this.blocks.has(hash);
  }

  /** Hold a block; false when it is already held or larger than the whole pool. */
  add(block: Omit<PendingBlock, 'at'>): boolean {
    if (this.blocks.has(block.hash) || block.bytes.length > this.limits.maxBytes) return false;
    this.expire();
    const fromPeer = [...this.blocks.values()].filter((b) => b.from === block.from);
    if (fromPeer.length >= this.limits.maxPerPeer) this.remove(fromPeer[0]!.hash);
    const entry = { ...block, at: this.now() };
    this.blocks.set(block.hash, entry);
    let siblings = this.byParent.get(block.parentHash);
    if (!siblings) this.byParent.set(block.parentHash, (siblings = new Set()));
    siblings.add(block.hash);
    this.totalBytes += block.bytes.length;
    while (this.blocks.size > this.limits.maxBlocks || this.totalBytes > this.limits.maxBytes) this.remove(this.blocks.keys().next().value!);
    return true;
  }

  /** Take one block out (the syncer found its header on the best chain and wants its body). */
  take(hash: string): PendingBlock | undefined {
    const block = this.blocks.get(hash);
    if (block) this.remove(hash);
    return block;
  }

  /** Take out the blocks waiting for this parent, oldest first: they can be submitted now. */
  takeChildren(parentHash: string): PendingBlock[] {
    const hashes = [...(this.byParent.get(parentHash) ?? [])];
    return hashes.map((h) => this.take(h)!).filter(Boolean);
  }

  /** Parents the pool waits for that are not themselves in it: the roots the fetcher should ask about. */
  missingParents(): string[] {
    this.expire();
    return [...this.byParent.keys()].filter((parent) => !this.blocks.has(parent));
  }

  /** The peers that sent the blocks waiting on these parents: they should have the ancestors. */
  sendersWaitingOn(parents: readonly string[]): Set<string> {
    const senders = new Set<string>();
    for (const parent of parents) for (const hash of this.byParent.get(parent) ?? []) senders.add(this.blocks.get(hash)!.from);
    return senders;
  }

  /** Drop blocks held longer than the time limit. */
  expire(): void {
    const oldest = this.now() - this.limits.ttlMs;
    for (const block of this.blocks.values()) {
      if (block.at > oldest) break; // insertion order is age order
      this.remove(block.hash);
    }
  }

  private remove(hash: string): void {
    const block = this.blocks.get(hash);
    if (!block) return;
    this.blocks.delete(hash);
    this.totalBytes -= block.bytes.length;
    const siblings = this.byParent.get(block.parentHash);
    siblings?.delete(hash);
    if (siblings?.size === 0) this.byParent.delete(block.parentHash);
  }
}
