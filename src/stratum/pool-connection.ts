import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { LineReader } from './line-reader.js';
import { describeError, parseMessage, requestLine, resultLine, type StratumId } from './messages.js';
import { parseNotify, type PoolJob, type SessionTerms } from './pool-work.js';
import { MAX_LINE_BYTES, VERSION_ROLLING_MASK, isHexBytes, parseU32Hex } from './protocol.js';

export interface PoolConnectionOptions {
  user: string;
  password: string;
  userAgent: string;
  /** Give up on connect + subscribe + authorize after this long (default 10 s). */
  handshakeTimeoutMs?: number;
  /** Give up on a pool that sends nothing for this long (default 150 s: pools send a job every 30-60 s). */
  silenceTimeoutMs?: number;
}

export interface PoolConnectionEvents {
  /** A job with the difficulty and version mask in force for it. */
  job: [PoolJob, SessionTerms];
  /** The pool asked us to go (client.reconnect), or the socket closed; `reason` says which. */
  close: [reason: string];
  message: [text: string];
}

export type ShareAnswer = { accepted: true } | { accepted: false; code: number | null; reason: string };

/** A stratum+tcp:// URL as host and port. */
export function parsePoolUrl(url: string): { host: string; port: number } {
  const match = /^stratum\+tcp:\/\/(\[[^\]]+\]|[^:/]+):(\d{1,5})\/?$/.exec(url.trim());
  const port = match ? Number(match[2]) : NaN;
  if (!match || !(port > 0 && port < 65_536)) throw new RangeError(`not a pool URL: "${url}" (expected stratum+tcp://HOST:PORT)`);
  return { host: match[1]!.replace(/^\[|\]$/g, ''), port };
}

/**
 * One connection to one Stratum v1 pool: configure (version rolling, if the pool has it),
 * subscribe, authorize, then jobs in and shares out. A difficulty applies to the jobs notified
 * after it, as cpuminer takes it; answers are matched to requests by id.
 */
export class PoolConnection extends EventEmitter<PoolConnectionEvents> {
  private readonly reader = new LineReader(MAX_LINE_BYTES);
  private readonly waiting = new Map<StratumId, (m: { result: unknown; error: unknown }) => void>();
  private nextId = 1;
  private terms: SessionTerms | null = null;
  private difficulty = 1;
  private versionMask = 0;
  private closed = false;
  private silence: NodeJS.Timeout | undefined;
  /** The newest job, kept for whoever starts listening after open() (it may come with the authorize answer). */
  latest: { job: PoolJob; terms: SessionTerms } | null = null;

  private constructor(
    private readonly socket: Socket,
    readonly url: string,
    private readonly options: PoolConnectionOptions,
  ) {
    super();
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.onData(chunk));
    socket.on('error', () => {});
    socket.on('close', () => this.finish('the pool closed the connection'));
    this.heard();
  }

  /** Connect and log in; rejects (and closes) when any step fails or times out. */
  static async open(url: string, options: PoolConnectionOptions): Promise<PoolConnection> {
    const { host, port } = parsePoolUrl(url);
    const timeoutMs = options.handshakeTimeoutMs ?? 10_000;
    const socket = await new Promise<Socket>((resolve, reject) => {
      const s = connect({ host, port });
      const timer = setTimeout(() => {
        s.destroy();
        reject(new Error(`no connection in ${timeoutMs} ms`));
      }, timeoutMs);
      s.once('connect', () => {
        clearTimeout(timer);
        resolve(s);
      });
      s.once('error', (err) => {
        clearTimeout(timer);
        reject(err);
      });
    });
    const connection = new PoolConnection(socket, url, options);
    try {
      await withTimeout(connection.handshake(), timeoutMs, 'the pool did not answer subscribe/authorize');
      return connection;
    } catch (err) {
      connection.close();
      throw err;
    }
  }

  get currentDifficulty(): number {
    return this.difficulty;
  }

  get extranonce1(): string | null {
    return this.terms ? Buffer.from(this.terms.extranonce1).toString('hex') : null;
  }

  /** Send a share; resolves with the pool's verdict (a rejection when the connection goes first). */
  async submit(params: unknown[]): Promise<ShareAnswer> {
    const answer = await this.request('mining.submit', params);
    if (answer.result === true && (answer.error === null || answer.error === undefined)) return { accepted: true };
    const { code, message } = answer.error === null || answer.error === undefined ? { code: null, message: 'rejected' } : describeError(answer.error);
    return { accepted: false, code, reason: message };
  }

  close(): void {
    this.socket.destroy();
    this.finish('closed');
  }

  private async handshake(): Promise<void> {
    // Not every pool knows mining.configure, and some never answer what they do not know: it is not
    // waited for. A pool that has it answers before subscribe (BIP 310: configure comes first).
    void this.request('mining.configure', [['version-rolling'], { 'version-rolling.mask': VERSION_ROLLING_MASK.toString(16).padStart(8, '0'), 'version-rolling.min-bit-count': 2 }]).then((configured) => {
      const c = configured.result as Record<string, unknown> | null;
      if (c && c['version-rolling'] === true && typeof c['version-rolling.mask'] === 'string') {
        this.versionMask = (Math.max(0, parseU32Hex(c['version-rolling.mask'])) & VERSION_ROLLING_MASK) >>> 0;
        if (this.terms) this.terms.versionMask = this.versionMask;
      }
    });
    const sub = await this.request('mining.subscribe', [this.options.userAgent]);
    const [, extranonce1, size] = Array.isArray(sub.result) ? sub.result : [];
    if (!(extranonce1 === '' || isHexBytes(extranonce1)) || typeof size !== 'number' || !(size >= 1 && size <= 32)) {
      throw new Error(`subscribe failed: ${sub.error ? describeError(sub.error).message : JSON.stringify(sub.result)}`);
    }
    this.terms = { extranonce1: Buffer.from(extranonce1 as string, 'hex'), extranonce2Size: size, difficulty: this.difficulty, versionMask: this.versionMask };
    const auth = await this.request('mining.authorize', [this.options.user, this.options.password]);
    if (auth.result !== true) throw new Error(`authorize as ${this.options.user} refused: ${auth.error ? describeError(auth.error).message : String(auth.result)}`);
  }

  private request(method: string, params: unknown[]): Promise<{ result: unknown; error: unknown }> {
    if (this.closed) return Promise.resolve({ result: null, error: [null, 'not connected', null] });
    const id = this.nextId++;
    return new Promise((resolve) => {
      this.waiting.set(id, resolve);
      this.socket.write(requestLine(method, params, id));
    });
  }

  private onData(chunk: Buffer): void {
    this.heard();
    const lines = this.reader.push(chunk);
    if (lines === 'too-long') return this.fail('the pool sent a line over 16 KiB');
    for (const line of lines) {
      const m = parseMessage(line);
      if (m.kind === 'response') {
        const resolve = this.waiting.get(m.id);
        this.waiting.delete(m.id);
        resolve?.({ result: m.result, error: m.error });
      } else if (m.kind === 'request') {
        this.onRequest(m.id, m.method, m.params);
      }
    }
  }

  private onRequest(id: StratumId, method: string, params: unknown[]): void {
    switch (method) {
      case 'mining.set_difficulty': {
        const d = typeof params[0] === 'string' ? Number(params[0]) : params[0];
        if (typeof d === 'number' && d > 0 && Number.isFinite(d)) this.difficulty = d;
        break;
      }
      case 'mining.notify': {
        const job = parseNotify(params);
        if (!job) {
          this.emit('message', 'the pool sent a mining.notify that does not parse; ignored');
          break;
        }
        if (!this.terms) break;
        this.latest = { job, terms: { ...this.terms, difficulty: this.difficulty } };
        this.emit('job', this.latest.job, this.latest.terms);
        break;
      }
      case 'client.reconnect':
        return this.fail('the pool asked us to reconnect');
      case 'client.show_message':
        this.emit('message', `message from the pool: ${String(params[0])}`);
        if (id !== null) this.socket.write(resultLine(id, true));
        break;
      case 'mining.ping':
        if (id !== null) this.socket.write(resultLine(id, 'pong'));
        break;
      case 'client.get_version':
        if (id !== null) this.socket.write(resultLine(id, this.options.userAgent));
        break;
    }
  }

  /** Any line from the pool resets the silence timer. */
  private heard(): void {
    clearTimeout(this.silence);
    this.silence = setTimeout(() => this.fail('the pool went silent'), this.options.silenceTimeoutMs ?? 150_000);
    this.silence.unref();
  }

  private fail(reason: string): void {
    this.socket.destroy();
    this.finish(reason);
  }

  private finish(reason: string): void {
    if (this.closed) return;
    this.closed = true;
    clearTimeout(this.silence);
    for (const resolve of this.waiting.values()) resolve({ result: null, error: [null, 'the connection closed before the answer', null] });
    this.waiting.clear();
    this.emit('close', reason);
  }
}

function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: NodeJS.Timeout;
  return Promise.race([promise, new Promise<T>((_, reject) => (timer = setTimeout(() => reject(new Error(message)), ms)))]).finally(() => clearTimeout(timer));
}
