import { Agent, request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { startHttpServer, type HttpServerOptions, type RunningHttpServer } from '../../src/http/server.js';
import type { NodeApi } from '../../src/http/node-api.js';
import { FakeNodeApi } from './fake-node-api.js';
import { closeAll, getFresh, openSocket, until, type RawSocket } from './raw-sockets.js';

/** A node whose GET /status waits until the test releases it: a request in flight, on demand. */
function heldNodeApi() {
  const fake = new FakeNodeApi();
  const held = Promise.withResolvers<void>();
  const state = { waiting: 0, release: () => held.resolve() };
  const api = new Proxy(fake, {
    get(target, key) {
      if (key === 'status') {
        return async () => {
          state.waiting++;
          await held.promise;
          return target.status();
        };
      }
      const value: unknown = Reflect.get(target, key, target);
      return typeof value === 'function' ? value.bind(target) : value;
    },
  }) as NodeApi;
  return { api, state };
}

let server: RunningHttpServer | undefined;
let api: ReturnType<typeof heldNodeApi>['state'];
const sockets: RawSocket[] = [];
const notices: string[] = [];
afterEach(async () => {
  api?.release();
  closeAll(sockets.splice(0));
  notices.length = 0;
  await server?.close();
  server = undefined;
});

async function start(options: Partial<HttpServerOptions>): Promise<number> {
  const held = heldNodeApi();
  api = held.state;
  server = await startHttpServer(createApp({ api: held.api, host: '127.0.0.1' }), { host: '127.0.0.1', port: 0, onNotice: (m) => notices.push(m), ...options });
  return server.port;
}

async function open(port: number, localAddress: string, send?: string): Promise<RawSocket> {
  const s = await openSocket(port, localAddress, send);
  sockets.push(s);
  return s;
}

/** Resolves when `s` is closed by the server; rejects if it stays open (no cap would ever close it). */
async function shed(s: RawSocket, what: string): Promise<void> {
  await until(`${what} to be closed by the server`, () => s.isClosed(), 3000);
}

const GET_STATUS = 'GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n';
const HALF_HEADERS = 'GET /status HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ';
const SLOW_BODY = 'POST /txs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{"hex":"';

describe('connection caps', () => {
  it('per client address: a new connection sheds that address\'s oldest idle one; other addresses are untouched', async () => {
    const port = await start({ maxConnections: 100, maxConnectionsPerClient: 4 });
    const flood: RawSocket[] = [];
    for (let i = 0; i < 4; i++) flood.push(await open(port, '127.0.0.2'));
    const neighbour = await open(port, '127.0.0.3');
    await until('5 connections registered', () => server!.connections().open === 5);

    const fifth = await open(port, '127.0.0.2');
    await shed(flood[0]!, 'the oldest connection from 127.0.0.2');
    // A real request from the flooding address still gets in, in place of the next oldest.
    expect((await getFresh(port, '/health', '127.0.0.2')).status).toBe(200);
    await shed(flood[1]!, 'the next oldest from 127.0.0.2');
    expect([flood[2], flood[3], fifth, neighbour].map((s) => s!.isClosed())).toEqual([false, false, false, false]);
    expect(server!.connections()).toMatchObject({ shed: 2, refused: 0 });
    expect(notices.join('\n')).toMatch(/connection cap reached \(100 in all, 4 per client address\)/);
  });

  it('per client address: a burst of real requests over the cap is answered, then closed instead of kept alive', async () => {
    const port = await start({ maxConnections: 100, maxConnectionsPerClient: 4 });
    const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
    try {
      const answers = await Promise.all(
        Array.from({ length: 20 }, () =>
          new Promise<{ status: number; connection: string | undefined }>((resolve, reject) => {
            request({ host: '127.0.0.1', port, path: '/health', agent }, (res) => {
              res.resume();
              res.on('end', () => resolve({ status: res.statusCode!, connection: res.headers.connection }));
            }).on('error', reject).end();
          }),
        ),
      );
      expect(answers.every((a) => a.status === 200)).toBe(true);
      expect(answers.some((a) => a.connection === 'close')).toBe(true);
      // Well before the 5 s keep-alive timeout would close the parked ones anyway.
      await until('the address back under its cap', () => server!.connections().open <= 4, 3000);
      expect(server!.connections().refused).toBe(0);
    } finally {
      agent.destroy();
    }
  });

  it('in all: /health and /metrics still answer with the server full of idle sockets, which go oldest first', async () => {
    const port = await start({ maxConnections: 12, maxConnectionsPerClient: 0 });
    const idle: RawSocket[] = [];
    for (let i = 0; i < 12; i++) idle.push(await open(port, `127.0.0.${10 + i}`));
    await until('12 connections registered', () => server!.connections().open === 12);
    expect((await getFresh(port, '/health')).status).toBe(200);
    await shed(idle[0]!, 'the oldest idle socket');
    for (let i = 0; i < 3; i++) {
      expect((await getFresh(port, '/health')).status).toBe(200);
      expect((await getFresh(port, '/metrics')).status).toBe(200);
    }
    expect(idle.at(-1)!.isClosed()).toBe(false);
    expect(server!.connections().open).toBeLessThanOrEqual(12);
  });

  it('in all: takes the victim from the address holding the most connections, not a light client\'s older one', async () => {
    const port = await start({ maxConnections: 6, maxConnectionsPerClient: 0 });
    const light = await open(port, '127.0.0.2');
    const heavy: RawSocket[] = [];
    for (let i = 0; i < 5; i++) heavy.push(await open(port, '127.0.0.3'));
    await until('6 connections registered', () => server!.connections().open === 6);
    expect((await getFresh(port, '/health')).status).toBe(200);
    await shed(heavy[0]!, 'the heavy address\'s oldest idle socket');
    expect(light.isClosed()).toBe(false);
  });

  it('sheds a connection stalled mid-headers before one with a request in flight', async () => {
    const port = await start({ maxConnections: 3, maxConnectionsPerClient: 0 });
    const busy = await open(port, '127.0.0.2', GET_STATUS);
    const halfHeaders = await open(port, '127.0.0.3', HALF_HEADERS);
    const slowBody = await open(port, '127.0.0.4', SLOW_BODY);
    await until('one request held and one body arriving', () => api.waiting === 1 && server!.connections().idle === 1);

    expect((await getFresh(port, '/health')).status).toBe(200);
    await shed(halfHeaders, 'the socket stalled mid-headers');
    expect(busy.isClosed()).toBe(false);
    expect(slowBody.isClosed()).toBe(false);
  });

  it('with no idle connection left, sheds a request still waiting for its body, never one being served', async () => {
    const port = await start({ maxConnections: 2, maxConnectionsPerClient: 0 });
    const busy = await open(port, '127.0.0.2', GET_STATUS);
    const slowBody = await open(port, '127.0.0.3', SLOW_BODY);
    await until('one request held and one body arriving', () => api.waiting === 1 && server!.connections().idle === 0);

    expect((await getFresh(port, '/health')).status).toBe(200);
    await shed(slowBody, 'the request still waiting for its body');
    api.release();
    await until('the held request answered', () => busy.received().startsWith('HTTP/1.1 200'));
  });

  it('refuses a new connection only when every open one is being served, and lets clients in again after', async () => {
    const port = await start({ maxConnections: 2, maxConnectionsPerClient: 0 });
    const held = [await open(port, '127.0.0.2', GET_STATUS), await open(port, '127.0.0.3', GET_STATUS)];
    await until('two requests held', () => api.waiting === 2);

    await expect(getFresh(port, '/health')).rejects.toThrow(/ECONNRESET|socket hang up/);
    expect(server!.connections()).toMatchObject({ refused: 1, shed: 0 });
    api.release();
    await until('both held requests answered', () => held.every((s) => s.received().startsWith('HTTP/1.1 200')));
    expect((await getFresh(port, '/health')).status).toBe(200);
  });

  it('stays under the open-file limit, and says so', async () => {
    await start({ maxConnections: 5000, fdLimit: 1024 });
    expect(notices[0]).toMatch(/open-file limit is 1024: at most 896 connections instead of 5000 .*ulimit -n/);
  });
});
