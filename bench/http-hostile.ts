import { request } from 'node:http';
import { connect, isIPv4, type Socket } from 'node:net';
import { openFileLimit } from '../src/http/fd-limit.js';

/**
 * `carechain bench http --hostile N`: /health and /metrics latency while N hostile sockets are
 * held open against the node — a third idle (connected, silent), a third stalled mid-headers, a
 * third trickling a request body — kept hostile (a byte every few seconds) and reopened when the
 * node closes them (at most REOPEN_PER_SECOND), as an attacker would. Against a loopback URL the
 * sockets come from up to 250 addresses, 127.0.0.2 on (all of 127.0.0.0/8 is loopback on Linux),
 * about 40 per address — under the node's default per-client cap of 64, so only the total cap
 * holds them back — and the timed requests from 127.0.0.1, each on a fresh connection: a health
 * checker does not get to keep one.
 */
export interface HostileOptions {
  url: string;
  /** Hostile sockets to hold open. */
  hostile: number;
  /** Timed requests per route. */
  requests: number;
}

export interface HostileReport {
  url: string;
  hostile: {
    asked: number;
    kinds: Record<HostileKind, number>;
    sourceAddresses: number;
    /** Connected at least once. */
    opened: number;
    connectFailures: number;
    /** Open on the client side when the timing started and when it ended. */
    openAtStart: number;
    openAtEnd: number;
    /** Closed by the node (shed, refused or timed out) while the timing ran. */
    closedByNode: number;
    reopened: number;
  };
  routes: RouteTiming[];
  /** V8 flags the benchmark ran with (DESIGN.md: a benchmark says which). */
  nodeFlags: string[];
}

export interface RouteTiming {
  route: string;
  requests: number;
  ok: number;
  failed: number;
  /** Failure reasons (a status code, ECONNRESET, timeout) and their counts. */
  failures: Record<string, number>;
  p50Ms: number | null;
  p99Ms: number | null;
  maxMs: number | null;
}

type HostileKind = 'idle' | 'headers' | 'body';

const KINDS: readonly HostileKind[] = ['idle', 'headers', 'body'];
const REOPEN_PER_SECOND = 500;
const TRICKLE_EVERY_MS = 5000;
const FD_MARGIN = 256;
const MAX_SOURCE_ADDRESSES = 250;
const SOCKETS_PER_ADDRESS = 40;
const REQUEST_TIMEOUT_MS = 5000;

export async function measureHostile(options: HostileOptions): Promise<HostileReport> {
  checkOpenFileLimit(options.hostile);
  const target = new URL(options.url);
  const loopback = isIPv4(target.hostname) && target.hostname.startsWith('127.');
  const addresses = loopback ? Math.min(MAX_SOURCE_ADDRESSES, Math.ceil(options.hostile / SOCKETS_PER_ADDRESS)) : 0;
  const crowd = new HostileCrowd(target, options.hostile, addresses);
  try {
    await crowd.openAll();
    await sleep(1000); // let the node settle what it sheds before timing starts
    const openAtStart = crowd.openCount();
    crowd.closedByNode = 0;
    crowd.reopened = 0;
    const routes: RouteTiming[] = [];
    for (const route of ['/health', '/metrics']) routes.push(await timeRoute(target, route, options.requests, loopback ? '127.0.0.1' : undefined));
    return {
      url: options.url,
      hostile: {
        asked: options.hostile,
        kinds: crowd.kindCounts(),
        sourceAddresses: Math.max(1, addresses),
        opened: crowd.everOpened,
        connectFailures: crowd.connectFailures,
        openAtStart,
        openAtEnd: crowd.openCount(),
        closedByNode: crowd.closedByNode,
        reopened: crowd.reopened,
      },
      routes,
      nodeFlags: process.execArgv,
    };
  } finally {
    crowd.close();
  }
}

export function formatHostileReport(report: HostileReport): string {
  const h = report.hostile;
  const ms = (x: number | null) => (x === null ? 'n/a' : x.toFixed(2));
  const header = ['route', 'requests', 'ok', 'failed', 'p50 ms', 'p99 ms', 'max ms'];
  const rows = report.routes.map((r) => [
    `GET ${r.route}`,
    String(r.requests),
    String(r.ok),
    r.failed ? `${r.failed} (${Object.entries(r.failures).map(([why, n]) => `${why}×${n}`).join(' ')})` : '0',
    ms(r.p50Ms),
    ms(r.p99Ms),
    ms(r.maxMs),
  ]);
  const widths = header.map((c, i) => Math.max(c.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [
    `node ${report.url}; ${h.asked} hostile sockets (${h.kinds.idle} idle, ${h.kinds.headers} half-sent headers, ${h.kinds.body} slow bodies) ` +
      `from ${h.sourceAddresses} address(es): ${h.opened} connected, ${h.connectFailures} connect failures`,
    `while timing: ${h.openAtStart} open at the start, ${h.openAtEnd} at the end; the node closed ${h.closedByNode}, ` +
      `the bench reopened ${h.reopened} (at most ${REOPEN_PER_SECOND}/s)` + (report.nodeFlags.length ? `; flags ${report.nodeFlags.join(' ')}` : ''),
    line(header),
    ...rows.map(line),
    '',
  ].join('\n');
}

/** The benchmark holds every hostile socket itself: without enough descriptors it would measure its own EMFILE. */
function checkOpenFileLimit(hostile: number): void {
  const limit = openFileLimit();
  if (limit !== undefined && limit < hostile + FD_MARGIN) {
    throw new Error(
      `--hostile ${hostile} needs an open-file limit of at least ${hostile + FD_MARGIN}, and this process has ${limit}: ` +
        `raise it first (ulimit -n ${hostile + 2 * FD_MARGIN}; the hard limit is the ceiling, see ulimit -Hn)`,
    );
  }
}

class HostileCrowd {
  readonly #slots: Slot[];
  readonly #host: string;
  readonly #port: number;
  #trickle: NodeJS.Timeout | undefined;
  #reopen: NodeJS.Timeout | undefined;
  #closing = false;
  everOpened = 0;
  connectFailures = 0;
  closedByNode = 0;
  reopened = 0;

  constructor(
    private readonly target: URL,
    count: number,
    sourceAddresses: number,
  ) {
    this.#host = target.hostname;
    this.#port = Number(target.port || 80);
    this.#slots = Array.from({ length: count }, (_, i) => ({
      kind: KINDS[i % KINDS.length]!,
      localAddress: sourceAddresses ? `127.0.0.${2 + (i % sourceAddresses)}` : undefined,
      socket: undefined,
    }));
  }

  kindCounts(): Record<HostileKind, number> {
    const counts = { idle: 0, headers: 0, body: 0 };
    for (const slot of this.#slots) counts[slot.kind]++;
    return counts;
  }

  openCount(): number {
    return this.#slots.filter((s) => s.socket).length;
  }

  /** Connect every slot (200 connects in flight at most), then keep them hostile until close(). */
  async openAll(): Promise<void> {
    let next = 0;
    const worker = async () => {
      while (next < this.#slots.length && !this.#closing) await this.#open(this.#slots[next++]!);
    };
    await Promise.all(Array.from({ length: Math.min(200, this.#slots.length) }, worker));
    let turn = 0;
    const share = Math.max(1, Math.ceil(this.#slots.length / (TRICKLE_EVERY_MS / 500)));
    this.#trickle = setInterval(() => {
      // A byte now and then: stalled, never idle long enough for an inactivity timeout alone to end it.
      for (let i = 0; i < share; i++) {
        const slot = this.#slots[turn++ % this.#slots.length]!;
        if (slot.kind !== 'idle' && slot.socket?.writable) slot.socket.write('a');
      }
    }, 500);
    this.#reopen = setInterval(() => {
      let budget = REOPEN_PER_SECOND / 10;
      for (const slot of this.#slots) {
        if (budget <= 0) break;
        if (slot.socket || slot.connecting) continue;
        budget--;
        this.reopened++;
        void this.#open(slot);
      }
    }, 100);
  }

  close(): void {
    this.#closing = true;
    clearInterval(this.#trickle);
    clearInterval(this.#reopen);
    for (const slot of this.#slots) slot.socket?.destroy();
  }

  #open(slot: Slot): Promise<void> {
    slot.connecting = true;
    return new Promise((resolve) => {
      const socket: Socket = connect({ host: this.#host, port: this.#port, ...(slot.localAddress ? { localAddress: slot.localAddress } : {}) });
      socket.setNoDelay(true);
      socket.on('data', () => {}); // a 408 or the like: read and dropped
      socket.once('connect', () => {
        slot.connecting = false;
        slot.socket = socket;
        this.everOpened++;
        socket.write(opening(slot.kind, this.target.host));
        resolve();
      });
      socket.once('error', () => {
        if (slot.connecting) this.connectFailures++;
      });
      socket.once('close', () => {
        if (slot.connecting) {
          slot.connecting = false;
          resolve();
        } else if (!this.#closing) {
          this.closedByNode++;
        }
        if (slot.socket === socket) slot.socket = undefined;
      });
    });
  }
}

interface Slot {
  kind: HostileKind;
  localAddress: string | undefined;
  socket: Socket | undefined;
  connecting?: boolean;
}

/** What a hostile socket sends first: nothing, headers that never end, or a body that will take forever. */
function opening(kind: HostileKind, host: string): string {
  if (kind === 'idle') return '';
  if (kind === 'headers') return `GET /health HTTP/1.1\r\nHost: ${host}\r\nX-Hostile: `;
  return `POST /txs HTTP/1.1\r\nHost: ${host}\r\nContent-Type: application/json\r\nContent-Length: 1000000\r\n\r\n{"hex":"`;
}

/** `count` sequential GETs, each on a fresh connection; latency from request to the last byte. */
async function timeRoute(target: URL, route: string, count: number, localAddress: string | undefined): Promise<RouteTiming> {
  const latencies: number[] = [];
  const failures: Record<string, number> = {};
  for (let i = 0; i < count; i++) {
    const started = performance.now();
    const outcome = await getOnce(target, route, localAddress);
    if (outcome === 200) latencies.push(performance.now() - started);
    else failures[String(outcome)] = (failures[String(outcome)] ?? 0) + 1;
  }
  latencies.sort((a, b) => a - b);
  const at = (q: number) => (latencies.length ? latencies[Math.min(latencies.length - 1, Math.ceil(q * latencies.length) - 1)]! : null);
  return { route, requests: count, ok: latencies.length, failed: count - latencies.length, failures, p50Ms: at(0.5), p99Ms: at(0.99), maxMs: at(1) };
}

/** The status code, or why there was none (ECONNRESET, timeout). */
function getOnce(target: URL, path: string, localAddress: string | undefined): Promise<number | string> {
  return new Promise((resolve) => {
    const req = request(
      { host: target.hostname, port: target.port || 80, path, agent: false, timeout: REQUEST_TIMEOUT_MS, ...(localAddress ? { localAddress } : {}) },
      (res) => {
        res.resume();
        res.once('end', () => resolve(res.statusCode!));
        res.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? 'error'));
      },
    );
    req.once('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'timeout' })));
    req.once('error', (err: NodeJS.ErrnoException) => resolve(err.code ?? err.message));
    req.end();
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));
