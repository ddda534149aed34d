import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How many connections the HTTP server holds open, in all and per client address. */
export interface ConnectionLimits {
  /** Open connections in all: a hard cap, kept at every accept. */
  maxConnections: number;
  /** Open connections from one client address; 0 = no per-client cap. */
  maxConnectionsPerClient: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { maxConnections: 1024, maxConnectionsPerClient: 64 };

/**
 * How long a new connection has to send its request before it can be shed for its address's cap:
 * a client that opens many connections at once has sent a request on each well within it.
 */
export const PER_CLIENT_GRACE_MS = 1000;

export interface ConnectionStats {
  open: number;
  /** Open with no request in flight (never sent one, or between keep-alive requests). */
  idle: number;
  /** Closed to make room for a new connection. */
  shed: number;
  /** New connections closed at once: nothing could be shed. */
  refused: number;
}

export type GateEvent = 'shed' | 'refused';

/**
 * Caps open connections at the socket level, before HTTP parsing, so a flood of idle or slow
 * sockets cannot lock out a real client. The connection dropped to make room is the one that costs
 * least: the oldest idle connection (no request in flight: never sent one, stalled mid-headers, or
 * parked between keep-alive requests), else the oldest request still waiting for its body (nothing
 * has acted on it yet). Addresses count IPv4-mapped IPv6 as IPv4.
 *
 * - In all (a hard cap, for the file descriptors): a new connection over it takes the place of the
 *   cheapest connection of the address holding the most, so a client with one or two connections
 *   is the last to lose one to a flood; when every connection is serving a whole request, the new
 *   one is refused.
 * - Per client address: over its cap, the address's cheapest connection that has had
 *   PER_CLIENT_GRACE_MS to show what it is goes at once; if there is none yet (a burst), the
 *   address is brought back under its cap a grace period later, and meanwhile its responses close
 *   their connections instead of keeping them alive. A bursting client gets its answers; a client
 *   holding silent sockets loses them.
 */
export class ConnectionGate {
  readonly #limits: ConnectionLimits;
  readonly #onEvent: (event: GateEvent) => void;
  readonly #now: () => number;
  readonly #all = new Map<Socket, Tracked>();
  /** Idle connections, oldest idle first (a Map iterates in insertion order). */
  readonly #idle = new Map<Socket, Tracked>();
  /** Connections with a request in flight, in the order they got busy. */
  readonly #busy = new Map<Socket, Tracked>();
  readonly #byAddress = new Map<string, Set<Tracked>>();
  /** Addresses by how many connections each holds, for finding the heaviest in O(1). */
  readonly #addressesHolding = new Map<number, Set<string>>();
  #heaviest = 0;
  /** Addresses over their cap with a check due. */
  readonly #checks = new Map<string, NodeJS.Timeout>();
  #order = 0;
  #shed = 0;
  #refused = 0;

  constructor(limits: ConnectionLimits, onEvent: (event: GateEvent) => void = () => {}, now: () => number = () => performance.now()) {
    if (!(limits.maxConnections >= 1)) throw new RangeError(`maxConnections must be at least 1, got ${limits.maxConnections}`);
    this.#limits = limits;
    this.#onEvent = onEvent;
    this.#now = now;
  }

  /** Watch `server`'s connections and requests from now on. */
  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.#admit(socket));
    // Before the app's own listener, which may answer (and send its headers) at once.
    server.prependListener('request', (req: IncomingMessage, res: ServerResponse) => this.#requestStarted(req, res));
    server.on('close', () => this.close());
  }

  stats(): ConnectionStats {
    return { open: this.#all.size, idle: this.#idle.size, shed: this.#shed, refused: this.#refused };
  }

  /** Cancel pending per-client checks. */
  close(): void {
    for (const timer of this.#checks.values()) clearTimeout(timer);
    this.#checks.clear();
  }

  #admit(socket: Socket): void {
    const address = clientAddress(socket);
    if (this.#all.size >= this.#limits.maxConnections && !this.#shedOne(this.#cheapest())) return this.#refuse(socket);

    const tracked: Tracked = { socket, address, inFlight: 0, request: undefined, order: this.#order++, sinceMs: this.#now() };
    this.#all.set(socket, tracked);
    this.#idle.set(socket, tracked);
    let set = this.#byAddress.get(address);
    if (!set) this.#byAddress.set(address, (set = new Set()));
    set.add(tracked);
    this.#recount(address, set.size - 1, set.size);
    socket.once('close', () => this.#forget(tracked));
    if (this.#overCap(address)) this.#enforce(address);
  }

  #requestStarted(req: IncomingMessage, res: ServerResponse): void {
    const tracked = this.#all.get(req.socket as Socket);
    if (!tracked) return; // already shed or refused
    tracked.request = req;
    if (tracked.inFlight++ === 0) this.#move(tracked, this.#idle, this.#busy);
    // Over its cap, an address keeps no connection alive past its answer.
    if (this.#overCap(tracked.address) && !res.headersSent) res.setHeader('connection', 'close');
    res.once('close', () => {
      if (--tracked.inFlight > 0 || !this.#all.has(tracked.socket)) return;
      tracked.request = undefined;
      this.#move(tracked, this.#busy, this.#idle);
    });
  }

  #move(tracked: Tracked, from: Map<Socket, Tracked>, to: Map<Socket, Tracked>): void {
    from.delete(tracked.socket);
    tracked.order = this.#order++;
    tracked.sinceMs = this.#now();
    to.set(tracked.socket, tracked);
  }

  #overCap(address: string): boolean {
    const perClient = this.#limits.maxConnectionsPerClient;
    return perClient > 0 && (this.#byAddress.get(address)?.size ?? 0) > perClient;
  }

  /** Shed `address`'s connections that had their grace, down to its cap; look again later for the rest. */
  #enforce(address: string): void {
    const set = this.#byAddress.get(address);
    while (set && this.#overCap(address) && this.#shedOne(cheapestOf(set, this.#now() - PER_CLIENT_GRACE_MS)));
    if (!this.#overCap(address) || this.#checks.has(address)) return;
    const timer = setTimeout(() => {
      this.#checks.delete(address);
      this.#enforce(address);
    }, PER_CLIENT_GRACE_MS);
    timer.unref();
    this.#checks.set(address, timer);
  }

  /**
   * The cheapest connection to drop at the total cap: from the heaviest addresses first (a few of
   * them, to stay O(1)), else the oldest idle anywhere, else the oldest still awaiting its body;
   * undefined when every connection is serving a whole request.
   */
  #cheapest(): Tracked | undefined {
    let tried = 0;
    for (const address of this.#addressesHolding.get(this.#heaviest) ?? []) {
      const victim = cheapestOf(this.#byAddress.get(address)!);
      if (victim || ++tried >= 8) return victim ?? this.#oldestAnywhere();
    }
    return this.#oldestAnywhere();
  }

  #oldestAnywhere(): Tracked | undefined {
    const oldestIdle = this.#idle.values().next();
    if (!oldestIdle.done) return oldestIdle.value;
    for (const tracked of this.#busy.values()) if (awaitingBody(tracked)) return tracked;
    return undefined;
  }

  #shedOne(victim: Tracked | undefined): boolean {
    if (!victim) return false;
    this.#forget(victim);
    victim.socket.destroy();
    this.#shed++;
    this.#onEvent('shed');
    return true;
  }

  #refuse(socket: Socket): void {
    socket.destroy();
    this.#refused++;
    this.#onEvent('refused');
  }

  #forget(tracked: Tracked): void {
    if (!this.#all.delete(tracked.socket)) return;
    this.#idle.delete(tracked.socket);
    this.#busy.delete(tracked.socket);
    const set = this.#byAddress.get(tracked.address)!;
    set.delete(tracked);
    this.#recount(tracked.address, set.size + 1, set.size);
    if (set.size === 0) {
      this.#byAddress.delete(tracked.address);
      clearTimeout(this.#checks.get(tracked.address));
      this.#checks.delete(tracked.address);
    }
  }

  /** Move `address` from the bucket of addresses holding `from` connections to the one holding `to`. */
  #recount(address: string, from: number, to: number): void {
    const old = this.#addressesHolding.get(from);
    old?.delete(address);
    if (old?.size === 0) this.#addressesHolding.delete(from);
    if (to > 0) {
      let bucket = this.#addressesHolding.get(to);
      if (!bucket) this.#addressesHolding.set(to, (bucket = new Set()));
      bucket.add(address);
    }
    if (to > this.#heaviest) this.#heaviest = to;
    while (this.#heaviest > 0 && !this.#addressesHolding.has(this.#heaviest)) this.#heaviest--;
  }
}

interface Tracked {
  socket: Socket;
  address: string;
  inFlight: number;
  /** The latest request on this connection while one is in flight. */
  request: IncomingMessage | undefined;
  /** When it last turned idle or busy, as a sequence number (smaller = earlier)… */
  order: number;
  /** …and as a time, in ms. */
  sinceMs: number;
}

/**
 * One address's cheapest connection to drop (a scan of that address's connections): its oldest
 * idle one, else its oldest awaiting a body; only among those idle or waiting since `cutoffMs`.
 */
function cheapestOf(set: Set<Tracked>, cutoffMs = Infinity): Tracked | undefined {
  let idle: Tracked | undefined;
  let waiting: Tracked | undefined;
  for (const tracked of set) {
    if (tracked.sinceMs > cutoffMs) continue;
    if (tracked.inFlight === 0) {
      if (!idle || tracked.order < idle.order) idle = tracked;
    } else if (awaitingBody(tracked) && (!waiting || tracked.order < waiting.order)) {
      waiting = tracked;
    }
  }
  return idle ?? waiting;
}

function awaitingBody(tracked: Tracked): boolean {
  return tracked.request !== undefined && !tracked.request.complete;
}

function clientAddress(socket: Socket): string {
  const address = socket.remoteAddress ?? 'unknown';
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
