/** Hash counts and rates: the per-slot shared counters, sampled into rate windows on the main thread. */
import { performance } from 'node:perf_hooks';
import { HashRateMeter, type HashRates } from './hashrate.js';
import type { WorkerHashes } from './pool-types.js';
import type { SharedControl } from './shared.js';

export class HashAccounts {
  private readonly meters = new Map<number, HashRateMeter>();
  private total: HashRateMeter | null = null;
  private timer: NodeJS.Timeout | undefined;
  /** Slots ever used: their counters are reported even after the thread count went down. */
  private used = 0;

  constructor(
    private readonly control: SharedControl,
    private readonly sampleMs: number,
  ) {}

  /** Begin sampling: rate windows fill from now. */
  start(): void {
    this.total = new HashRateMeter(performance.now(), this.totalHashes(), this.sampleMs);
    this.timer = setInterval(() => this.sample(), this.sampleMs).unref();
  }

  stop(): void {
    clearInterval(this.timer);
  }

  /** A worker starts in `slot`: a replacement keeps the slot's meter, a slot reused after a retire gets a fresh one. */
  activate(slot: number): void {
    this.used = Math.max(this.used, slot + 1);
    if (!this.meters.has(slot)) this.meters.set(slot, new HashRateMeter(performance.now(), this.control.hashes(slot), this.sampleMs));
  }

  /** The slot's worker was retired (fewer threads): its counter stays, its rates go. */
  retire(slot: number): void {
    this.meters.delete(slot);
  }

  workerHashes(): WorkerHashes[] {
    return Array.from({ length: this.used }, (_, worker) => ({ worker, hashes: this.control.hashes(worker) }));
  }

  totalHashes(): number {
    let sum = 0;
    for (let slot = 0; slot < this.used; slot++) sum += this.control.hashes(slot);
    return sum;
  }

  rates(): HashRates {
    return this.total?.rates(performance.now(), this.totalHashes()) ?? { '10s': null, '60s': null, '15m': null };
  }

  workerRates(): { worker: number; rates: HashRates }[] {
    const now = performance.now();
    return [...this.meters].map(([worker, m]) => ({ worker, rates: m.rates(now, this.control.hashes(worker)) }));
  }

  get peak10s(): number | null {
    return this.total?.peak10s ?? null;
  }

  private sample(): void {
    const now = performance.now();
    this.total?.record(now, this.totalHashes());
    for (const [slot, meter] of this.meters) meter.record(now, this.control.hashes(slot));
  }
}
