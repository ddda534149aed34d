/** A downloaded body waiting to be connected, with the peer that sent it (scored when it is judged). */
export interface BufferedBlock {
  bytes: Uint8Array;
  from: string;
}

/**
 * Bodies that arrived before their parent's body was stored: sync downloads a window of blocks from
 * several peers at once, but the chain takes bodies in order. Bounded by the sync window in count
 * and by bytes; the syncer asks for no more while it is full.
 */
export class BlockBuffer {
  private readonly blocks = new Map<string, BufferedBlock>();
  private totalBytes = 0;

  get size(): number {
    return this.blocks.size;
  }

  get bytes(): number {
    return this.totalBytes;
  }

  has(hash: string): boolean {
    return this.blocks.has(hash);
  }

  put(hash: string, block: BufferedBlock): void {
    if (this.blocks.has(hash)) return;
    this.blocks.set(hash, block);
    this.totalBytes += block.bytes.length;
  }

  take(hash: string): BufferedBlock | undefined {
    const block = this.blocks.get(hash);
    if (!block) return undefined;
    this.blocks.delete(hash);
    this.totalBytes -= block.bytes.length;
    return block;
  }

  /** Drop every body not in `wanted` (the best chain moved to another branch). */
  retainOnly(wanted: ReadonlySet<string>): void {
    for (const hash of [...this.blocks.keys()]) if (!wanted.has(hash)) this.take(hash);
  }
}
