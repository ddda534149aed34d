import { writeSync } from 'node:fs';
import { isatty } from 'node:tty';

/**
 * The node's log. On a terminal it keeps one live status line at the bottom and writes log lines
 * above it; elsewhere (a pipe, a file, systemd) it writes plain timestamped lines only.
 *
 * A log that cannot be written (a full disk: ENOSPC; a reader gone: EPIPE; a closed terminal: EIO)
 * never stops the node: the lines are counted and dropped, and the first line that can be written
 * again is preceded by one saying so, e.g. `log: 12 lines lost (ENOSPC)`.
 */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  /** Replace the live status line (a terminal), or log it as a plain line (otherwise). */
  status(line: string): void;
  /** Whether status() redraws in place. */
  readonly live: boolean;
  /** Clear the status line (before exit). */
  close(): void;
}

export interface LogStream {
  write(text: string): unknown;
  isTTY?: boolean;
  columns?: number;
  /** Errors a stream reports after the write (pipes do): counted as lost lines, never thrown. */
  on?(event: 'error', listener: (err: Error) => void): unknown;
}

/**
 * Without a stream: the process's stderr, written with synchronous writes to fd 2, so a failure is
 * seen (and survived) where it happens. stdout and stderr also get an 'error' listener, so nothing
 * else writing to them (console, the CLI) can stop the node with an unhandled 'error' either.
 */
export function createLogger(stream?: LogStream, options: { live?: boolean } = {}): Logger {
  const out = stream ? new GuardedOutput((text) => void stream.write(text)) : new GuardedOutput((text) => writeAllSync(2, text));
  if (stream?.on) stream.on('error', (err) => out.failedLater(err));
  if (!stream) process.stderr.on('error', (err) => out.failedLater(err));
  const isTTY = stream ? !!stream.isTTY : isatty(2);
  const columns = () => (stream ? stream.columns : isTTY ? process.stderr.columns : undefined);
  const live = options.live ?? isTTY;

  let statusText = '';
  const clear = () => (live && statusText ? '\r\x1b[K' : '');
  const redraw = () => (live && statusText ? fit(statusText, columns()) : '');
  const format = (level: string, message: string) => (live ? `${message}\n` : `${new Date().toISOString()} ${level} ${message}\n`);
  out.formatLostNotice = (text) => format('warn', text);
  const line = (level: string, message: string) => out.write(clear(), format(level, message) + redraw());
  if (!stream) {
    let said = false;
    process.stdout.on('error', (err: NodeJS.ErrnoException) => {
      if (!said) line('warn', `stdout: ${err.code ?? err.message}; going on without it`);
      said = true;
    });
  }
  return {
    live,
    info: (m) => line('info', m),
    warn: (m) => line('warn', m),
    error: (m) => line('error', m),
    status(text) {
      if (!live) return line('info', text);
      out.write(clear(), fit(text, columns()));
      statusText = text;
    },
    close() {
      out.write(clear(), '');
      statusText = '';
    },
  };
}

/** Writes that fail are counted, not thrown; the next write that works says how many were lost. */
class GuardedOutput {
  #lost = 0;
  #cause = '';
  /** A write stopped partway: the notice starts on a new line. */
  #midLine = false;
  formatLostNotice: (text: string) => string = (text) => `${text}\n`;

  constructor(private readonly sink: (text: string) => void) {}

  /** `prefix` (e.g. clearing the status line) goes before the lost-lines notice, `text` after it. */
  write(prefix: string, text: string): void {
    if (!prefix && !text) return;
    const notice = this.#lost > 0 ? (this.#midLine ? '\n' : '') + this.formatLostNotice(`log: ${this.#lost} line${this.#lost === 1 ? '' : 's'} lost (${this.#cause})`) : '';
    try {
      this.sink(prefix + notice + text);
      this.#lost = 0;
      this.#midLine = false;
    } catch (err) {
      this.#fail(err, (err as { partial?: boolean }).partial === true);
    }
  }

  /** A stream's asynchronous 'error': one line (or more) did not make it. */
  failedLater(err: unknown): void {
    this.#fail(err, false);
  }

  #fail(err: unknown, partial: boolean): void {
    this.#lost++;
    this.#cause = (err as NodeJS.ErrnoException).code ?? (err instanceof Error ? err.message : String(err));
    if (partial) this.#midLine = true;
  }
}

/**
 * All of `text` to `fd`, synchronously. A non-blocking descriptor (a pipe someone else set so) that
 * is full is retried for up to ~100 ms, as a blocking write would wait; then the line counts as lost.
 */
function writeAllSync(fd: number, text: string): void {
  const bytes = Buffer.from(text);
  let offset = 0;
  let waits = 0;
  while (offset < bytes.length) {
    try {
      offset += writeSync(fd, bytes, offset);
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EAGAIN' && waits++ < 100) {
        Atomics.wait(PAUSE, 0, 0, 1);
        continue;
      }
      if (offset > 0) Object.assign(err as object, { partial: true });
      throw err;
    }
  }
}

const PAUSE = new Int32Array(new SharedArrayBuffer(4));

/** A status line longer than the terminal would wrap, and `\r` would then redraw only its last row. */
function fit(text: string, columns: number | undefined): string {
  return columns && text.length >= columns ? text.slice(0, Math.max(0, columns - 2)) + '…' : text;
}
