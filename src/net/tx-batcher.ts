import { TX_BATCH_MAX_BYTES, TX_BATCH_MAX_COUNT, TX_RELAY_BATCH_MS } from './limits.js';

/**
 * Gathers the transactions this node announces for `delayMs` (TX_RELAY_BATCH_MS) and hands them on
 * as batches that fit one gossip message (TX_BATCH_MAX_COUNT transactions, TX_BATCH_MAX_BYTES).
 * A batch that is full goes at once; the rest go when the first of them has waited `delayMs`.
 */
export class TxBatcher {
  private batch: Uint8Array[] = [];
  /** The batch's encoded size (wire.ts encodeTxBatch: a u16 count, a u16 length per transaction). */
  private bytes = 2;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly send: (batch: Uint8Array[]) => void,
    private readonly delayMs = TX_RELAY_BATCH_MS,
  ) {}

  add(tx: Uint8Array): void {
    if (this.batch.length > 0 && (this.batch.length >= TX_BATCH_MAX_COUNT || this.bytes + 2 + tx.length > TX_BATCH_MAX_BYTES)) this.flush();
    this.batch.push(tx);
    this.bytes += 2 + tx.length;
    this.timer ??= setTimeout(() => this.flush(), this.delayMs);
  }

  /** Hand on whatever is gathered now (also on shutdown). */
  flush(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
    if (this.batch.length === 0) return;
    const batch = this.batch;
    this.batch = [];
    this.bytes = 2;
    this.send(batch);
  }
}
