import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { createServer, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { answerClientError } from './client-error.js';
import { ConnectionGate, DEFAULT_CONNECTION_LIMITS, type ConnectionStats, type GateEvent } from './connection-gate.js';
import { connectionCapFor, openFileLimit } from './fd-limit.js';
import { problems } from './problem.js';

export interface RunningHttpServer {
  /** e.g. http://127.0.0.1:8080 (the real port when 0 was asked for). */
  url: string;
  port: number;
  /** Open, idle, shed and refused connections so far. */
  connections(): ConnectionStats;
  close(): Promise<void>;
}

export interface HttpServerOptions {
  host: string;
  /** 0 = any free port. */
  port: number;
  /** Open connections in all (default 1024; lowered to fit the open-file limit). */
  maxConnections?: number;
  /** Open connections per client address (default 64; 0 = no per-client cap). */
  maxConnectionsPerClient?: number;
  /** Time to receive a request's headers, in ms (default 10 s). */
  headersTimeoutMs?: number;
  /** Time to receive a whole request, body included, in ms (default 30 s); also how long a connection may stall. */
  requestTimeoutMs?: number;
  /** Things the operator should know: a cap lowered to the fd limit, caps reached, accept() failing. */
  onNotice?: (message: string) => void;
  /** The open-file limit; read from /proc/self/limits when not given. */
  fdLimit?: number | undefined;
}

export const DEFAULT_HEADERS_TIMEOUT_MS = 10_000;
export const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;

/** Listens on host:port and resolves once the socket is bound; every connection passes a ConnectionGate. */
export function startHttpServer(app: Hono, options: HttpServerOptions): Promise<RunningHttpServer> {
  const notice = options.onNotice ?? ((message: string) => console.error(message));
  const headersTimeout = options.headersTimeoutMs ?? DEFAULT_HEADERS_TIMEOUT_MS;
  const requestTimeout = Math.max(options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS, headersTimeout);
  const limits = connectionLimits(options, notice);

  const server = createServer(
    {
      headersTimeout,
      requestTimeout,
      // Node checks both timeouts on this period (30 s by default): a fraction of the shorter one keeps them honest.
      connectionsCheckingInterval: Math.max(10, Math.min(1000, Math.floor(headersTimeout / 4))),
    },
    getRequestListener(app.fetch, {
      hostname: options.host,
      // A request @hono/node-server cannot turn into a Request (a bad Host header, a bad URL).
      errorHandler: (err) => problems.malformedRequest(err instanceof Error ? err.message : 'bad request').toResponse(),
    }),
  );
  // A connection that neither sends nor reads (e.g. a client that stops reading a response) is closed too.
  server.setTimeout(requestTimeout);

  const pressure = new PressureLog(notice, limits.maxConnections, limits.maxConnectionsPerClient);
  const gate = new ConnectionGate(limits, (event) => pressure.note(event));
  gate.attach(server);

  const responses = new WeakMap<Socket, ServerResponse>();
  server.on('request', (req, res) => responses.set(req.socket, res));
  server.on('clientError', (err: Error & { code?: string }, socket) => {
    answerClientError(err, socket, responses.get(socket as Socket)?.headersSent ?? false);
  });

  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => {
      server.off('error', reject);
      server.on('error', acceptFailures(notice));
      const info = server.address() as AddressInfo;
      const host = info.family === 'IPv6' ? `[${info.address}]` : info.address;
      resolve({
        url: `http://${host}:${info.port}`,
        port: info.port,
        connections: () => gate.stats(),
        close: () =>
          new Promise<void>((done, fail) => {
            pressure.stop();
            server.close((err) => (err ? fail(err) : done()));
            // Keep-alive clients (autocannon, Prometheus) would otherwise hold close() open.
            server.closeAllConnections();
          }),
      });
    });
  });
}

function connectionLimits(options: HttpServerOptions, notice: (message: string) => void) {
  const wanted = options.maxConnections ?? DEFAULT_CONNECTION_LIMITS.maxConnections;
  const fdLimit = 'fdLimit' in options ? options.fdLimit : openFileLimit();
  const maxConnections = connectionCapFor(wanted, fdLimit);
  if (maxConnections < wanted) {
    notice(
      `http: the open-file limit is ${fdLimit}: at most ${maxConnections} connections instead of ${wanted} ` +
        `(raise it to at least ${wanted + 1024}: ulimit -n, or LimitNOFILE= under systemd)`,
    );
  }
  return { maxConnections, maxConnectionsPerClient: options.maxConnectionsPerClient ?? DEFAULT_CONNECTION_LIMITS.maxConnectionsPerClient };
}

/** After listen, an 'error' on the server is accept() failing (EMFILE, ENFILE): said once, never fatal. */
function acceptFailures(notice: (message: string) => void): (err: NodeJS.ErrnoException) => void {
  const said = new Set<string>();
  return (err) => {
    const code = err.code ?? err.message;
    if (said.has(code)) return;
    said.add(code);
    notice(`http: cannot accept a connection (${code}); serving the ones already open (raise the open-file limit or lower --max-connections)`);
  };
}

/** The first shed or refused connection is said at once, then a count at most once a minute while it goes on. */
class PressureLog {
  #shed = 0;
  #refused = 0;
  #timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly notice: (message: string) => void,
    private readonly maxConnections: number,
    private readonly perClient: number,
  ) {}

  note(event: GateEvent): void {
    if (event === 'shed') this.#shed++;
    else this.#refused++;
    if (this.#timer) return;
    this.#flush();
    this.#timer = setInterval(() => this.#flush(), 60_000);
    this.#timer.unref();
  }

  stop(): void {
    clearInterval(this.#timer);
  }

  #flush(): void {
    if (this.#shed + this.#refused === 0) {
      clearInterval(this.#timer);
      this.#timer = undefined;
      return;
    }
    const caps = `${this.maxConnections} in all${this.perClient ? `, ${this.perClient} per client address` : ''}`;
    this.notice(`http: connection cap reached (${caps}): ${this.#shed} idle or stalled connection(s) closed, ${this.#refused} new one(s) refused`);
    this.#shed = this.#refused = 0;
  }
}
