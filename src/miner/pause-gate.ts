/**
 * Pause and resume through shared memory. Each pause gets a new epoch number so every worker
 * acknowledges each pause once; `pause()` resolves when all live workers have, which means their
 * last slice is counted and the hash counters stand still.
 */
import type { SharedControl } from './shared.js';

export class PauseGate {
  private epoch = 0;
  private active = false;
  private waiters: (() => void)[] = [];

  constructor(private readonly control: SharedControl) {}

  get paused(): boolean {
    return this.active;
  }

  /** Pause (if running); resolves once `acknowledged(epoch)` holds, re-checked through `check()`. */
  pause(acknowledged: (epoch: number) => boolean): Promise<void> {
    if (!this.active) {
      this.active = true;
      this.epoch += 1;
      this.control.setPaused(this.epoch);
      this.control.wake();
    }
    return new Promise((resolve) => {
      this.waiters.push(resolve);
      this.check(acknowledged);
    });
  }

  resume(): void {
    if (!this.active) return;
    this.active = false;
    this.control.setPaused(0);
    this.control.wake();
    this.release();
  }

  /** Call when a worker acknowledged or went away. */
  check(acknowledged: (epoch: number) => boolean): void {
    if (this.active && acknowledged(this.epoch)) this.release();
  }

  /** Let every waiter go (resumed, or the pool closed). */
  release(): void {
    const waiters = this.waiters;
    this.waiters = [];
    for (const resolve of waiters) resolve();
  }
}
