import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { TX_BATCH_MAX_BYTES, TX_BATCH_MAX_COUNT } from '../../src/net/limits.js';
import { TxBatcher } from '../../src/net/tx-batcher.js';
import { encodeTxBatch } from '../../src/net/wire.js';

describe('TxBatcher', () => {
  let sent: Uint8Array[][];
  let batcher: TxBatcher;
  beforeEach(() => {
    vi.useFakeTimers();
    sent = [];
    batcher = new TxBatcher((batch) => sent.push(batch), 50);
  });
  afterEach(() => vi.useRealTimers());

  it('sends what came in within the delay as one batch, timed from the first', () => {
    batcher.add(Uint8Array.of(1));
    vi.advanceTimersByTime(30);
    batcher.add(Uint8Array.of(2));
    expect(sent).toEqual([]);
    vi.advanceTimersByTime(20);
    expect(sent).toEqual([[Uint8Array.of(1), Uint8Array.of(2)]]);
    batcher.add(Uint8Array.of(3));
    vi.advanceTimersByTime(50);
    expect(sent).toHaveLength(2);
    vi.advanceTimersByTime(1000);
    expect(sent).toHaveLength(2); // nothing gathered, nothing sent
  });

  it('sends a full batch at once, by count and by bytes, and every batch fits one message', () => {
    for (let i = 0; i < TX_BATCH_MAX_COUNT + 1; i++) batcher.add(Uint8Array.of(i & 255));
    expect(sent.map((b) => b.length)).toEqual([TX_BATCH_MAX_COUNT]);
    vi.advanceTimersByTime(50);
    expect(sent.map((b) => b.length)).toEqual([TX_BATCH_MAX_COUNT, 1]);

    sent = [];
    const tx = new Uint8Array(8 * 1024 - 10);
    for (let i = 0; i < 20; i++) batcher.add(tx);
    batcher.flush();
    expect(sent.reduce((n, b) => n + b.length, 0)).toBe(20);
    for (const batch of sent) expect(encodeTxBatch(batch).length).toBeLessThanOrEqual(TX_BATCH_MAX_BYTES);
    expect(sent.length).toBe(Math.ceil(20 / Math.floor((TX_BATCH_MAX_BYTES - 2) / (tx.length + 2))));
  });

  it('flush sends what is gathered now and stops the timer', () => {
    batcher.add(Uint8Array.of(1));
    batcher.flush();
    expect(sent).toEqual([[Uint8Array.of(1)]]);
    vi.advanceTimersByTime(100);
    expect(sent).toHaveLength(1);
    batcher.flush();
    expect(sent).toHaveLength(1);
  });
});
