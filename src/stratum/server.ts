import { createServer, type AddressInfo, type Server, type Socket } from 'node:net';
import type { Block } from '../chain/block.js';
import type { Chain } from '../chain/chain.js';
import type { StratumRecorder } from '../metrics/stratum-metrics.js';
import type { PublishedJob } from '../chain/template.js';
import type { JobSource, StratumLog } from './job-source.js';
import { Extranonce1Allocator } from './extranonce.js';
import { HeaderScratch } from './header-assembly.js';
import { JobRegistry, type JobRegistryOptions } from './job-registry.js';
import { LineReader } from './line-reader.js';
import { parseMessage, requestLine } from './messages.js';
import { DEFAULT_STRATUM_LIMITS, type StratumLimits } from './limits.js';
import { MAX_LINE_BYTES } from './protocol.js';
import { StratumSession, type SessionServices, type StratumSessionView } from './session.js';
import type { VardiffOptions } from './vardiff.js';

export interface StratumServerOptions extends Partial<StratumLimits> {
  host: string;
  /** 0 picks a free port. */
  port: number;
  /** A new session's difficulty before vardiff has seen it (default 0.001; never above the network's). */
  startDifficulty?: number;
  /** A session that sends nothing for this long is closed (default 10 min). */
  idleTimeoutMs?: number;
  /** A connection not subscribed and authorized this long after connecting is closed (default 30 s). */
  handshakeTimeoutMs?: number;
  /** How long an address whose sessions send mostly invalid shares or junk is refused (default 10 min). */
  banMs?: number;
  /** Non-clean jobs reach sessions at most this often (default 5 s); a new tip goes out at once. */
  minNotifyIntervalMs?: number;
  /** Bytes queued for a client that does not read before it is dropped (default 1 MiB). */
  maxWriteBufferBytes?: number;
  vardiff?: VardiffOptions;
  jobs?: JobRegistryOptions;
  now?: () => number;
}

export interface StratumServerDeps {
  chain: Pick<Chain, 'submitBlock' | 'network'>;
  publisher: JobSource;
  /** Hex key paid when a username is not a payout key: the node's coinbase key. */
  defaultRecipient: string;
  recorder?: StratumRecorder;
  log: StratumLog;
}

/** Misbehaviour that makes a ban: at least this many invalid messages, and four in five of all. */
const BAN_MIN_INVALID = 20;
const BROADCAST_SLICE = 256;

interface Connection {
  socket: Socket;
  session: StratumSession;
  reader: LineReader;
}

/**
 * The node's Stratum v1 server, solo-pool style: miners on other machines mine the node's blocks,
 * each paid to the key it authorizes with. Jobs come from the node's job publisher; shares are
 * checked here; a share that meets the network target goes to the chain through the one door for
 * blocks, `submitBlock(block, 'stratum')`, and is answered once the block is on disk.
 */
export class StratumServer {
  readonly registry: JobRegistry;
  private readonly allocator: Extranonce1Allocator;
  private readonly connections = new Set<Connection>();
  private readonly perAddress = new Map<string, number>();
  private readonly bans = new Map<string, number>();
  private readonly refusalLogged = new Map<string, number>();
  private readonly limits: StratumLimits;
  private readonly services: SessionServices;
  private readonly now: () => number;
  private readonly housekeeping: NodeJS.Timeout;
  private readonly pendingBlocks = new Set<Promise<unknown>>();
  private lastBroadcastAt = -Infinity;
  private broadcastTimer: NodeJS.Timeout | undefined;
  private broadcastGeneration = 0;
  private jobCounter = 0;
  private closing = false;

  static async start(deps: StratumServerDeps, options: StratumServerOptions): Promise<StratumServer> {
    const server = new StratumServer(deps, options);
    await server.listen();
    return server;
  }

  private readonly server: Server;
  private address: AddressInfo | null = null;

  private constructor(
    private readonly deps: StratumServerDeps,
    private readonly options: StratumServerOptions,
  ) {
    this.now = options.now ?? Date.now;
    this.limits = {
      maxSessions: options.maxSessions ?? DEFAULT_STRATUM_LIMITS.maxSessions,
      maxSessionsPerAddress: options.maxSessionsPerAddress ?? DEFAULT_STRATUM_LIMITS.maxSessionsPerAddress,
      minDifficulty: options.minDifficulty ?? DEFAULT_STRATUM_LIMITS.minDifficulty,
    };
    this.registry = new JobRegistry({ now: this.now, ...options.jobs });
    this.allocator = new Extranonce1Allocator({
      now: this.now,
      // The node's own miner rolls extranonce2 under its extranonce1: a session with the same one and the node's key would repeat its work.
      reserved: () => {
        const own = this.registry.current?.template.fields.extranonce1;
        return own === undefined ? [] : [own];
      },
    });
    this.services = {
      registry: this.registry,
      allocator: this.allocator,
      defaultRecipient: deps.defaultRecipient,
      minDifficulty: this.limits.minDifficulty,
      startDifficulty: Math.max(options.startDifficulty ?? 0.001, this.limits.minDifficulty),
      vardiff: options.vardiff ?? {},
      maxFutureSeconds: deps.chain.network.maxFutureSeconds,
      nowMs: this.now,
      nextJobId: () => (++this.jobCounter).toString(16),
      scratch: new HeaderScratch(),
      submitBlock: (block) => this.submitBlock(block),
      recorder: deps.recorder,
      log: deps.log,
      misbehaved: (session) => this.misbehaved(session),
    };
    this.server = createServer({ noDelay: true }, (socket) => this.accept(socket));
    this.server.on('error', (err) => deps.log.error(`stratum: ${err.message}`));
    this.housekeeping = setInterval(() => this.tick(), 1000);
    this.housekeeping.unref();
    deps.publisher.on('job', this.onJob);
    const current = deps.publisher.current();
    if (current) this.registry.add(current);
  }

  /** e.g. stratum+tcp://127.0.0.1:3333 (the real port when 0 was asked for). */
  get url(): string {
    const a = this.address!;
    return `stratum+tcp://${a.family === 'IPv6' ? `[${a.address}]` : a.address}:${a.port}`;
  }

  get port(): number {
    return this.address!.port;
  }

  get sessionCount(): number {
    return this.connections.size;
  }

  sessions(): StratumSessionView[] {
    return [...this.connections].map((c) => c.session.view());
  }

  /** Tell every miner to come back later (client.reconnect), stop listening, and wait for blocks being stored. */
  async close(): Promise<void> {
    if (this.closing) return;
    this.closing = true;
    this.deps.publisher.off('job', this.onJob);
    clearInterval(this.housekeeping);
    clearTimeout(this.broadcastTimer);
    const closed = new Promise<void>((resolve) => this.server.close(() => resolve()));
    await Promise.allSettled([...this.pendingBlocks]);
    const reconnect = requestLine('client.reconnect', []);
    for (const c of this.connections) {
      c.socket.end(reconnect);
      c.socket.setTimeout(1000, () => c.socket.destroy());
    }
    await closed;
  }

  private listen(): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen({ host: this.options.host, port: this.options.port }, () => {
        this.server.off('error', reject);
        this.address = this.server.address() as AddressInfo;
        resolve();
      });
    });
  }

  // ── connections ──

  private accept(socket: Socket): void {
    const address = normalizeAddress(socket.remoteAddress);
    const refusal = this.refusal(address);
    if (refusal) {
      // Once a minute per address: a banned miner reconnecting in a loop must not flood the log.
      const now = this.now();
      if ((this.refusalLogged.get(address) ?? -Infinity) < now - 60_000) {
        this.refusalLogged.set(address, now);
        this.deps.log.warn(`stratum: refused ${address}: ${refusal}`);
      }
      socket.destroy();
      return;
    }
    this.perAddress.set(address, (this.perAddress.get(address) ?? 0) + 1);
    const maxWrite = this.options.maxWriteBufferBytes ?? 1024 * 1024;
    const transport = {
      address,
      write: (line: string) => {
        if (socket.destroyed) return;
        // A miner that does not read its answers must not grow our memory.
        if (socket.writableLength > maxWrite) return void socket.destroy();
        socket.write(line);
      },
      pause: () => socket.pause(),
      resume: () => socket.resume(),
    };
    const connection: Connection = { socket, session: new StratumSession(transport, this.services), reader: new LineReader(MAX_LINE_BYTES) };
    this.connections.add(connection);
    socket.on('data', (chunk: Buffer) => this.onData(connection, chunk));
    socket.on('error', () => {}); // a reset connection is an ordinary end; 'close' follows
    socket.on('close', () => this.forget(connection));
  }

  private refusal(address: string): string | null {
    if (this.closing) return 'shutting down';
    const until = this.bans.get(address);
    if (until !== undefined && until > this.now()) return 'banned for invalid shares';
    if (this.connections.size >= this.limits.maxSessions) return `${this.limits.maxSessions} sessions open (the limit)`;
    if ((this.perAddress.get(address) ?? 0) >= this.limits.maxSessionsPerAddress) return `${this.limits.maxSessionsPerAddress} sessions from this address (the limit)`;
    return null;
  }

  private onData(c: Connection, chunk: Buffer): void {
    const lines = c.reader.push(chunk);
    if (lines === 'too-long') {
      this.deps.log.warn(`stratum: dropped ${c.session.address}: a line over ${MAX_LINE_BYTES} bytes`);
      c.session.junk();
      c.socket.destroy();
      return;
    }
    c.socket.cork(); // one write for all the answers to this chunk
    for (const line of lines) {
      const message = parseMessage(line);
      if (message.kind === 'request') c.session.handle(message);
      else if (message.kind === 'junk') c.session.junk();
      if (c.socket.destroyed) break;
    }
    process.nextTick(() => c.socket.uncork());
  }

  private forget(c: Connection): void {
    if (!this.connections.delete(c)) return;
    c.session.close();
    const left = (this.perAddress.get(c.session.address) ?? 1) - 1;
    if (left > 0) this.perAddress.set(c.session.address, left);
    else this.perAddress.delete(c.session.address);
  }

  private misbehaved(session: StratumSession): void {
    if (session.bad < BAN_MIN_INVALID || session.bad <= 4 * session.good) return;
    const address = session.address;
    if (!this.bans.has(address)) this.deps.log.warn(`stratum: banned ${address} for ${Math.round((this.options.banMs ?? 600_000) / 1000)} s: mostly invalid shares or junk`);
    this.bans.set(address, this.now() + (this.options.banMs ?? 600_000));
    for (const c of this.connections) if (c.session.address === address) c.socket.destroy();
  }

  private tick(): void {
    const now = this.now();
    const idle = this.options.idleTimeoutMs ?? 600_000;
    const handshake = this.options.handshakeTimeoutMs ?? 30_000;
    for (const c of this.connections) {
      const s = c.session;
      if (now - s.lastMessageAt > idle || (!(s.subscribed && s.authorized) && now - s.connectedAt > handshake)) {
        c.socket.destroy();
        continue;
      }
      s.tick(now);
    }
    for (const [address, until] of this.bans) if (until <= now) this.bans.delete(address);
    for (const [address, at] of this.refusalLogged) if (at < now - 60_000) this.refusalLogged.delete(address);
  }

  // ── jobs and blocks ──

  private readonly onJob = (job: PublishedJob): void => {
    this.registry.add(job);
    const wait = this.lastBroadcastAt + (this.options.minNotifyIntervalMs ?? 5000) - this.now();
    if (job.clean || wait <= 0) return this.broadcast();
    this.broadcastTimer ??= setTimeout(() => this.broadcast(), wait);
  };

  /** The newest job to every ready session, a slice at a time so the event loop keeps moving. */
  private broadcast(): void {
    clearTimeout(this.broadcastTimer);
    this.broadcastTimer = undefined;
    const job = this.registry.current;
    if (!job || this.closing) return;
    this.lastBroadcastAt = this.now();
    const generation = ++this.broadcastGeneration;
    const targets = [...this.connections];
    const sendSlice = (from: number) => {
      if (generation !== this.broadcastGeneration) return; // a newer job is on its way
      for (const c of targets.slice(from, from + BROADCAST_SLICE)) if (!c.socket.destroyed) c.session.sendJob(job);
      if (from + BROADCAST_SLICE < targets.length) setImmediate(() => sendSlice(from + BROADCAST_SLICE));
    };
    sendSlice(0);
  }

  private submitBlock(block: Block) {
    const pending = this.deps.chain.submitBlock(block, 'stratum');
    this.pendingBlocks.add(pending);
    void pending.finally(() => this.pendingBlocks.delete(pending)).catch(() => {});
    return pending;
  }
}

function normalizeAddress(address: string | undefined): string {
  if (!address) return 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}

