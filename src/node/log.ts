/**
 * The node's log. On a terminal it keeps one live status line at the bottom and writes log lines
 * above it; elsewhere (a pipe, a file, systemd) it writes plain timestamped lines only.
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
}

export function createLogger(stream: LogStream = process.stderr, options: { live?: boolean } = {}): Logger {
  const live = options.live ?? !!stream.isTTY;
  let statusText = '';
  const clear = () => (live && statusText ? '\r\x1b[K' : '');
  const redraw = () => (live && statusText ? fit(statusText, stream.columns) : '');
  const line = (level: string, message: string) => {
    const text = live ? `${message}\n` : `${new Date().toISOString()} ${level} ${message}\n`;
    stream.write(clear() + text + redraw());
  };
  return {
    live,
    info: (m) => line('info', m),
    warn: (m) => line('warn', m),
    error: (m) => line('error', m),
    status(text) {
      if (!live) return line('info', text);
      stream.write(clear() + fit(text, stream.columns));
      statusText = text;
    },
    close() {
      stream.write(clear());
      statusText = '';
    },
  };
}

/** A status line longer than the terminal would wrap, and `\r` would then redraw only its last row. */
function fit(text: string, columns: number | undefined): string {
  return columns && text.length >= columns ? text.slice(0, Math.max(0, columns - 2)) + '…' : text;
}
