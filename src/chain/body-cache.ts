import type { Block } from './block.js';

/**
 * Decoded block bodies by hash, at most `capacity` of them besides pinned ones, the least recently
 * remembered evicted first; a body not here is read back from the block log. Pinned bodies are not
 * in the log (genesis, and a new block while it is being validated) and are never evicted.
 */
export class BodyCache {
  private readonly bodies = new Map<string, Block>();
  private readonly pinned = new Set<string>();

  constructor(private readonly capacity: number) {}

  get size(): number {
    return this.bodies.size;
  }

  get(hash: string): Block | undefined {
    return this.bodies.get(hash);
  }

  remember(hash: string, block: Block): void {
    this.bodies.delete(hash);
    this.bodies.set(hash, block);
    if (this.bodies.size - this.pinned.size <= this.capacity) return;
    for (const oldest of this.bodies.keys()) {
      if (this.pinned.has(oldest)) continue;
      this.bodies.delete(oldest);
      return;
    }
  }

  /** Keep a body that cannot be read back from the log. */
  pin(hash: string, block: Block): void {
    this.pinned.add(hash);
    this.remember(hash, block);
  }

  /** A pinned body may be evicted again (it is in the log now, or it was rejected). */
  unpin(hash: string): void {
    this.pinned.delete(hash);
  }

  forget(hash: string): void {
    this.pinned.delete(hash);
    this.bodies.delete(hash);
  }
}
