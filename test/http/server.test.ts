import { afterEach, describe, expect, it } from 'vitest';
import { createApp } from '../../src/http/app.js';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js';
import { FakeNodeApi } from './fake-node-api.js';

let server: RunningHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

describe('startHttpServer', () => {
  it('serves the app on a free loopback port and closes cleanly', async () => {
    server = await startHttpServer(createApp({ api: new FakeNodeApi(), host: '127.0.0.1' }), { host: '127.0.0.1', port: 0 });
    expect(server.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const res = await fetch(`${server.url}/status`);
    expect(res.status).toBe(200);
    expect(((await res.json()) as { height: number }).height).toBe(2);
    const url = server.url;
    await server.close();
    server = undefined;
    await expect(fetch(`${url}/health`)).rejects.toThrow();
  });

  it('rate-limits by the real socket address', async () => {
    const app = createApp({ api: new FakeNodeApi(), host: '127.0.0.1', rateLimit: { requestsPerSecond: 0.01, burst: 2 } });
    server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
    const statuses = [];
    for (let i = 0; i < 3; i++) statuses.push((await fetch(`${server.url}/mempool`)).status);
    expect(statuses).toEqual([200, 200, 429]);
  });

  it('refuses a huge body over the wire with 413 and keeps serving', async () => {
    server = await startHttpServer(createApp({ api: new FakeNodeApi(), host: '127.0.0.1', bodyLimitBytes: 1024 }), { host: '127.0.0.1', port: 0 });
    const res = await fetch(`${server.url}/txs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: 'x'.repeat(100_000) });
    expect(res.status).toBe(413);
    expect((await fetch(`${server.url}/health`)).status).toBe(200);
  });

  it('rejects when the port is taken', async () => {
    server = await startHttpServer(createApp({ api: new FakeNodeApi(), host: '127.0.0.1' }), { host: '127.0.0.1', port: 0 });
    await expect(startHttpServer(createApp({ api: new FakeNodeApi(), host: '127.0.0.1' }), { host: '127.0.0.1', port: server.port })).rejects.toThrow(/EADDRINUSE/);
  });
});
