import { connect, type Socket } from 'node:net';

export type Message = { id?: unknown; method?: string; params?: unknown[]; result?: unknown; error?: unknown };

/**
 * A Stratum client over a raw socket, for driving the server exactly: send any bytes, read every
 * line it answers, in order. Never a library's client, so a test can send what no miner would.
 */
export class RawClient {
  readonly messages: Message[] = [];
  readonly closed: Promise<void>;
  private buffer = '';
  private nextId = 100;
  private waiters: (() => void)[] = [];
  isClosed = false;

  private constructor(readonly socket: Socket) {
    socket.setEncoding('utf8');
    socket.on('data', (text: string) => {
      this.buffer += text;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const line = this.buffer.slice(0, nl);
        this.buffer = this.buffer.slice(nl + 1);
        if (line.trim()) this.messages.push(JSON.parse(line) as Message);
      }
      this.wake();
    });
    socket.on('error', () => {});
    this.closed = new Promise((resolve) =>
      socket.once('close', () => {
        this.isClosed = true;
        this.wake();
        resolve();
      }),
    );
  }

  static open(port: number, options: { localAddress?: string } = {}): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port, ...options }, () => resolve(new RawClient(socket)));
      socket.once('error', reject);
    });
  }

  write(text: string): void {
    this.socket.write(text);
  }

  send(method: string, params: unknown[], id: unknown = this.nextId++): unknown {
    this.write(`${JSON.stringify({ id, method, params })}\n`);
    return id;
  }

  /** Send a request and wait for the response with its id. */
  async request(method: string, params: unknown[], timeoutMs = 5000): Promise<Message> {
    const id = this.send(method, params);
    return this.waitFor((m) => m.id === id && m.method === undefined, timeoutMs, `the answer to ${method}`);
  }

  /** The first message (from `from` on) that matches. */
  async waitFor(match: (m: Message) => boolean, timeoutMs = 5000, what = 'a message', from = 0): Promise<Message> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const found = this.messages.slice(from).find(match);
      if (found) return found;
      if (this.isClosed) throw new Error(`closed while waiting for ${what}`);
      const left = deadline - Date.now();
      if (left <= 0) throw new Error(`timed out waiting for ${what}; got ${JSON.stringify(this.messages.slice(-5))}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, left);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** The newest mining.notify params. */
  lastNotify(): unknown[] | undefined {
    return this.messages.filter((m) => m.method === 'mining.notify').at(-1)?.params;
  }

  lastDifficulty(): number | undefined {
    return this.messages.filter((m) => m.method === 'mining.set_difficulty').at(-1)?.params?.[0] as number | undefined;
  }

  close(): void {
    this.socket.destroy();
  }

  private wake(): void {
    for (const w of this.waiters.splice(0)) w();
  }
}
