import { EventEmitter } from 'node:events';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/node/log.js';

const errno = (code: string) => Object.assign(new Error(`${code}: write failed`), { code });

/** A log destination that fails with `code` while `failing` is set, synchronously (a file) or later (a pipe). */
class FlakyStream extends EventEmitter {
  written = '';
  failing: string | undefined;
  constructor(readonly mode: 'throws' | 'emits') {
    super();
  }
  write(text: string): boolean {
    if (this.failing === undefined) {
      this.written += text;
      return true;
    }
    if (this.mode === 'throws') throw errno(this.failing);
    const code = this.failing;
    queueMicrotask(() => this.emit('error', errno(code)));
    return false;
  }
}

describe('the log when its output fails', () => {
  it('goes quiet on a full disk, then says once how many lines were lost', () => {
    const out = new FlakyStream('throws');
    const log = createLogger(out, { live: false });
    log.info('before');
    out.failing = 'ENOSPC';
    for (let i = 0; i < 3; i++) expect(() => log.info(`lost ${i}`)).not.toThrow();
    expect(() => log.status('status lost too')).not.toThrow();
    out.failing = undefined;
    log.warn('after');
    log.info('later');
    const lines = out.written.trimEnd().split('\n');
    expect(lines.map((l) => l.replace(/^\S+ /, ''))).toEqual(['info before', 'warn log: 4 lines lost (ENOSPC)', 'warn after', 'info later']);
    expect(out.written).not.toMatch(/lost \d/);
  });

  it('survives errors a pipe reports after the write (EPIPE), counting them', async () => {
    const out = new FlakyStream('emits');
    const log = createLogger(out, { live: false });
    out.failing = 'EPIPE';
    log.info('one');
    log.error('two');
    await new Promise((r) => setTimeout(r, 0));
    out.failing = undefined;
    log.info('back');
    expect(out.written).toMatch(/^\S+ warn log: 2 lines lost \(EPIPE\)\n\S+ info back\n$/);
  });

  it('on a terminal, the notice goes above the live status line', () => {
    const out = new FlakyStream('throws');
    const log = createLogger(Object.assign(out, { isTTY: true, columns: 80 }));
    log.status('height 1');
    out.failing = 'EIO';
    log.info('gone');
    out.failing = undefined;
    log.info('mined block 2');
    expect(out.written).toBe('height 1' + '\r\x1b[Klog: 1 line lost (EIO)\nmined block 2\nheight 1');
  });
});
