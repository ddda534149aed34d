import { request } from 'node:http';
import { afterEach, describe, expect, it } from 'vitest';
import { NodeClient } from '../../src/cli/node-client.js';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js';
import { FakeNodeApi } from './fake-node-api.js';
import { makeApp } from './make-app.js';

let server: RunningHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

interface Answer {
  status: number;
  contentType: string | undefined;
  body: Record<string, unknown>;
}

/** One request over the wire with exactly these headers (fetch would not let a test set Host). */
function send(method: string, path: string, headers: Record<string, string>, body?: string): Promise<Answer> {
  return new Promise((resolve, reject) => {
    const req = request({ host: '127.0.0.1', port: server!.port, method, path, headers, agent: false }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ status: res.statusCode!, contentType: res.headers['content-type'], body: text ? (JSON.parse(text) as Record<string, unknown>) : {} }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

async function serve(host = '127.0.0.1') {
  const api = new FakeNodeApi();
  server = await startHttpServer(makeApp({ api, host }).app, { host: '127.0.0.1', port: 0 });
  return api;
}

function expectProblemAnswer(answer: Answer, status: number, slug: string): void {
  expect(answer.status).toBe(status);
  expect(answer.contentType).toBe('application/problem+json');
  expect(answer.body).toMatchObject({ type: `https://carechain.dev/problems/${slug}`, status });
}

describe('cross-site requests on the default setup (loopback, no token)', () => {
  it('refuses a state-changing request from another origin or site, and changes nothing', async () => {
    const api = await serve();
    const self = `127.0.0.1:${server!.port}`;
    const refused: Record<string, string>[] = [
      { origin: 'http://evil.example' },
      { origin: 'null' },
      { origin: `http://127.0.0.1:${server!.port + 1}` }, // another port is another origin
      { 'sec-fetch-site': 'cross-site' },
      { 'sec-fetch-site': 'same-site' }, // localhost:3000 is the same site as localhost:8080
      { origin: `http://${self}`, 'sec-fetch-site': 'cross-site' },
    ];
    for (const headers of refused) {
      expectProblemAnswer(await send('POST', '/mining/pause', { host: self, ...headers }), 403, 'cross-origin-request');
      expectProblemAnswer(await send('PUT', '/mining/threads', { host: self, 'content-type': 'application/json', ...headers }, '{"threads":1}'), 403, 'cross-origin-request');
    }
    expect(api.paused).toBe(false);
    expect(api.threads).toBe(2);
  });

  it('lets the node\'s own origin and clients that are not browsers through', async () => {
    const api = await serve();
    const self = `127.0.0.1:${server!.port}`;
    expect((await send('POST', '/mining/pause', { host: self, origin: `http://${self}`, 'sec-fetch-site': 'same-origin' })).status).toBe(200);
    expect(api.paused).toBe(true);
    expect((await send('POST', '/mining/resume', { host: self })).status).toBe(200); // curl-style: no Origin, no body
    expect((await send('POST', '/mining/pause', { host: self, 'content-length': '0' })).status).toBe(200);
    expect((await send('PUT', '/mining/threads', { host: self, 'content-type': 'application/json; charset=utf-8' }, '{"threads":1}')).status).toBe(200);
    expect(api.threads).toBe(1);
    // Reads are not refused for their Origin: without CORS headers the browser keeps the answer from the page.
    expect((await send('GET', '/status', { host: self, origin: 'http://evil.example' })).status).toBe(200);
  });

  it('the CLI client (fetch, no Origin) still submits and reads', async () => {
    const api = await serve();
    const client = new NodeClient(server!.url);
    await expect(client.post('/txs', { hex: 'abcd' })).resolves.toMatchObject({ txid: expect.any(String) });
    expect(api.submitted).toHaveLength(1);
    await expect(client.get('/status')).resolves.toMatchObject({ height: 2 });
  });

  it('needs Content-Type: application/json on a state-changing request with a body (what a form or text/plain fetch sends)', async () => {
    const api = await serve();
    const self = `127.0.0.1:${server!.port}`;
    const bodies: [Record<string, string>, string][] = [
      [{ 'content-type': 'text/plain' }, '{"threads":1}'],
      [{ 'content-type': 'application/x-www-form-urlencoded' }, 'threads=1'],
      [{ 'content-type': 'multipart/form-data; boundary=x' }, '--x--'],
      [{}, 'x'],
      [{ 'content-type': 'text/plain', 'transfer-encoding': 'chunked' }, 'x'],
    ];
    for (const [headers, body] of bodies) {
      expectProblemAnswer(await send('POST', '/mining/pause', { host: self, ...headers }, body), 415, 'unsupported-media-type');
      expectProblemAnswer(await send('PUT', '/mining/threads', { host: self, ...headers }, body), 415, 'unsupported-media-type');
    }
    expect(api.paused).toBe(false);
    expect(api.threads).toBe(2);
  });

  it('on loopback answers only loopback Host names (DNS rebinding), any port', async () => {
    await serve();
    const port = server!.port;
    for (const host of ['evil.example', `evil.example:${port}`, `127.0.0.1.evil.example:${port}`, `0.0.0.0:${port}`, `10.0.0.1:${port}`]) {
      for (const path of ['/status', '/metrics', '/health']) expectProblemAnswer(await send('GET', path, { host }), 421, 'unknown-host');
      expectProblemAnswer(await send('POST', '/mining/pause', { host }), 421, 'unknown-host');
    }
    for (const host of [`localhost:${port}`, 'localhost', `LOCALHOST:${port}`, `127.0.0.1:${port}`, '127.1.2.3', `[::1]:${port}`]) {
      expect((await send('GET', '/status', { host })).status, host).toBe(200);
    }
  });

  it('serves any Host when bound off loopback (the token guards the control routes there)', async () => {
    const { app } = makeApp({ host: '0.0.0.0', token: 't0k' });
    expect((await app.request('http://node.example:8080/status', { headers: { host: 'node.example:8080' } })).status).toBe(200);
    const res = await app.request('http://node.example:8080/mining/pause', { method: 'POST', headers: { host: 'node.example:8080', origin: 'https://node.example:8080', authorization: 'Bearer t0k' } });
    expect(res.status).toBe(200);
  });
});
