import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js';
import { FakeNodeApi } from './fake-node-api.js';
import { getFresh, openSocket, parseAnswer, type RawSocket } from './raw-sockets.js';

let server: RunningHttpServer | undefined;
const sockets: RawSocket[] = [];
afterEach(async () => {
  for (const s of sockets.splice(0)) s.socket.destroy();
  await server?.close();
  server = undefined;
});

/** Resolves with the ms it took `s` to close, or rejects after `limitMs` (Node's own defaults are 60 s and 300 s). */
async function closesWithin(s: RawSocket, limitMs: number, started: number): Promise<number> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => (timer = setTimeout(() => reject(new Error(`still open after ${limitMs} ms`)), limitMs)));
  try {
    await Promise.race([s.closed, timeout]);
    return Date.now() - started;
  } finally {
    clearTimeout(timer);
  }
}

describe('header and body time limits', () => {
  it('close a connection that sends nothing, stalls mid-headers or trickles its body, each with a 408 problem', async () => {
    server = await startHttpServer(createApp({ api: new FakeNodeApi(), host: '127.0.0.1' }), {
      host: '127.0.0.1',
      port: 0,
      headersTimeoutMs: 300,
      requestTimeoutMs: 800,
    });
    const started = Date.now();
    const silent = await openSocket(server.port);
    const halfHeaders = await openSocket(server.port, undefined, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    const slowBody = await openSocket(server.port, undefined, 'POST /txs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 1000\r\n\r\n{"hex":"');
    sockets.push(silent, halfHeaders, slowBody);
    // One byte every 50 ms: the body never stalls long enough for an idle timeout, it is just too slow.
    const trickle = setInterval(() => slowBody.socket.write('a'), 50);
    try {
      const [silentMs, halfMs, bodyMs] = await Promise.all([
        closesWithin(silent, 4000, started),
        closesWithin(halfHeaders, 4000, started),
        closesWithin(slowBody, 4000, started),
      ]);
      expect(silentMs).toBeGreaterThanOrEqual(250);
      expect(halfMs).toBeGreaterThanOrEqual(250);
      expect(bodyMs).toBeGreaterThanOrEqual(700); // the body had the whole request timeout, not the headers one
    } finally {
      clearInterval(trickle);
    }
    for (const s of [silent, halfHeaders, slowBody]) {
      const answer = parseAnswer(s.received());
      expect(answer.status).toBe(408);
      expect(answer.headers['content-type']).toBe('application/problem+json');
      expect(JSON.parse(answer.body)).toMatchObject({ type: 'https://carechain.dev/problems/request-timeout', status: 408 });
    }
    expect((await getFresh(server.port, '/health')).status).toBe(200);
  });
});
