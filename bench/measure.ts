// Timing for single-thread benchmarks: calibrate a batch to a few milliseconds, then time windows of
// whole batches. Contenders take turns window by window, so a slow minute on a shared machine
// lands on all of them rather than on one.

export interface Window {
  hashes: number;
  seconds: number;
}

/** Calls `run(start, count)` in batches until `seconds` have passed; returns the hashes and the time. */
export function timeWindow(run: (start: number, count: number) => number, batch: number, seconds: number, start = 0): Window {
  const begin = process.hrtime.bigint();
  const limit = begin + BigInt(Math.round(seconds * 1e9));
  let hashes = 0;
  let now = begin;
  while (now < limit) {
    run((start + hashes) % 2 ** 31, batch);
    hashes += batch;
    now = process.hrtime.bigint();
  }
  return { hashes, seconds: Number(now - begin) / 1e9 };
}

/** A batch size that takes about `targetMs`: the kernel must return often to leave V8's first tier. */
export function calibrate(run: (start: number, count: number) => number, targetMs = 5): number {
  let batch = 64;
  for (;;) {
    const t0 = performance.now();
    run(0, batch);
    const ms = performance.now() - t0;
    if (ms >= targetMs || batch >= 2 ** 24) return Math.max(4, Math.round((batch * targetMs) / Math.max(ms, 0.001)));
    batch *= 4;
  }
}

export function median(values: number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
}
