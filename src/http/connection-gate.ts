import type { IncomingMessage, Server, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

/** How many connections the HTTP server holds open, in all and per client address. */
export interface ConnectionLimits {
  /** Open connections in all. */
  maxConnections: number;
  /** Open connections from one client address; 0 = no per-client cap. */
  maxConnectionsPerClient: number;
}

export const DEFAULT_CONNECTION_LIMITS: ConnectionLimits = { maxConnections: 1024, maxConnectionsPerClient: 64 };

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
 * sockets cannot lock out a real client. When a cap is reached the new connection takes the place
 * of the one that costs least to drop: the oldest idle connection (no request in flight: never sent
 * one, stalled mid-headers, or parked between keep-alive requests), else the oldest request still
 * waiting for its body (nothing has acted on it yet); only when every connection has a whole
 * request in flight is the new one refused. A cap counts per client address (IPv4-mapped IPv6
 * addresses as IPv4) and in all; at the total cap the victim comes from the address that holds the
 * most connections, so a client with one or two connections is the last to lose one to a flood.
 */
export class ConnectionGate {
  readonly #limits: ConnectionLimits;
  readonly #onEvent: (event: GateEvent) => void;
  readonly #all = new Map<Socket, Tracked>();
  /** Idle connections, oldest idle first (a Map iterates in insertion order). */
  readonly #idle = new Map<Socket, Tracked>();
  /** Connections with a request in flight, in the order they got busy. */
  readonly #busy = new Map<Socket, Tracked>();
  readonly #byAddress = new Map<string, Set<Tracked>>();
  /** Addresses by how many connections each holds, for finding the heaviest in O(1). */
  readonly #addressesHolding = new Map<number, Set<string>>();
  #heaviest = 0;
  #order = 0;
  #shed = 0;
  #refused = 0;

  constructor(limits: ConnectionLimits, onEvent: (event: GateEvent) => void = () => {}) {
    if (!(limits.maxConnections >= 1)) throw new RangeError(`maxConnections must be at least 1, got ${limits.maxConnections}`);
    this.#limits = limits;
    this.#onEvent = onEvent;
  }

  /** Watch `server`'s connections and requests from now on. */
  attach(server: Server): void {
    server.on('connection', (socket: Socket) => this.#admit(socket));
    server.on('request', (req: IncomingMessage, res: ServerResponse) => this.#requestStarted(req, res));
  }

  stats(): ConnectionStats {
    return { open: this.#all.size, idle: this.#idle.size, shed: this.#shed, refused: this.#refused };
  }

  #admit(socket: Socket): void {
    const address = clientAddress(socket);
    const perClient = this.#limits.maxConnectionsPerClient;
    const mine = this.#byAddress.get(address);
    if (perClient > 0 && mine && mine.size >= perClient && !this.#shedOne(cheapestOf(mine))) return this.#refuse(socket);
    if (this.#all.size >= this.#limits.maxConnections && !this.#shedOne(this.#cheapest())) return this.#refuse(socket);

    const tracked: Tracked = { socket, address, inFlight: 0, request: undefined, since: this.#order++ };
    this.#all.set(socket, tracked);
    this.#idle.set(socket, tracked);
    let set = this.#byAddress.get(address);
    if (!set) this.#byAddress.set(address, (set = new Set()));
    set.add(tracked);
    this.#recount(address, set.size - 1, set.size);
    socket.once('close', () => this.#forget(tracked));
  }

  #requestStarted(req: IncomingMessage, res: ServerResponse): void {
    const tracked = this.#all.get(req.socket as Socket);
    if (!tracked) return; // already shed or refused
    tracked.request = req;
    if (tracked.inFlight++ === 0) {
      this.#idle.delete(tracked.socket);
      tracked.since = this.#order++;
      this.#busy.set(tracked.socket, tracked);
    }
    res.once('close', () => {
      if (--tracked.inFlight > 0 || !this.#all.has(tracked.socket)) return;
      tracked.request = undefined;
      this.#busy.delete(tracked.socket);
      tracked.since = this.#order++;
      this.#idle.set(tracked.socket, tracked);
    });
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
    if (set.size === 0) this.#byAddress.delete(tracked.address);
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
  /** When it last turned idle or busy, as a sequence number (smaller = earlier). */
  since: number;
}

/** One address's cheapest connection to drop (the per-client cap scans at most that many). */
function cheapestOf(set: Set<Tracked>): Tracked | undefined {
  let idle: Tracked | undefined;
  let waiting: Tracked | undefined;
  for (const tracked of set) {
    if (tracked.inFlight === 0) {
      if (!idle || tracked.since < idle.since) idle = tracked;
    } else if (awaitingBody(tracked) && (!waiting || tracked.since < waiting.since)) {
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
