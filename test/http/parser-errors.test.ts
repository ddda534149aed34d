import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js';
import { FakeNodeApi } from './fake-node-api.js';
import { getFresh, rawExchange, type RawAnswer } from './raw-sockets.js';

let server: RunningHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

function expectRawProblem(answer: RawAnswer, status: number, slug: string): Record<string, unknown> {
  expect(answer.status).toBe(status);
  expect(answer.headers['content-type']).toBe('application/problem+json');
  expect(answer.headers.connection).toBe('close');
  expect(Number(answer.headers['content-length'])).toBe(Buffer.byteLength(answer.body));
  const body = JSON.parse(answer.body) as Record<string, unknown>;
  expect(body).toMatchObject({ type: `https://carechain.dev/problems/${slug}`, status });
  expect(typeof body.title).toBe('string');
  expect(typeof body.detail).toBe('string');
  return body;
}

// What Node's HTTP parser refuses never reaches a route: the server answers it itself.
describe('requests the HTTP parser refuses', () => {
  it('answer as problem+json, and the server keeps serving', async () => {
    server = await startHttpServer(createApp({ api: new FakeNodeApi(), host: '127.0.0.1' }), { host: '127.0.0.1', port: 0 });
    const port = server.port;

    expectRawProblem(await rawExchange(port, `GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Big: ${'a'.repeat(64 * 1024)}\r\n\r\n`), 431, 'headers-too-large');

    const badLine = expectRawProblem(await rawExchange(port, 'GARBAGE\r\n\r\n'), 400, 'malformed-request');
    expect(badLine.detail).toMatch(/HPE_/);

    const smuggle = 'POST /txs HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n';
    expectRawProblem(await rawExchange(port, smuggle), 400, 'malformed-request');

    // Parsed by Node but not a URL @hono/node-server can build (a space in Host).
    expectRawProblem(await rawExchange(port, 'GET /health HTTP/1.1\r\nHost: exa mple\r\nConnection: close\r\n\r\n'), 400, 'malformed-request');

    expect((await getFresh(port, '/health')).status).toBe(200);
  });
});
