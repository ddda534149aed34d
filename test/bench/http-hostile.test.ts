import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HostileReport } from '../../bench/http-hostile.js';
import { run as bench } from '../../src/cli/commands/bench.js';
import { createApp } from '../../src/http/app.js';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js';
import { FakeNodeApi } from '../http/fake-node-api.js';
import { captureBench } from './run-bench.js';

let server: RunningHttpServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

const capture = (args: string[]) => captureBench(['http', ...args]);

// A smoke test with a small crowd against a server capped far below it; never a measurement.
describe('bench/http.ts --hostile', () => {
  it('holds hostile sockets open, times /health and /metrics, and reports what the node closed', async () => {
    server = await startHttpServer(createApp({ api: new FakeNodeApi(), host: '127.0.0.1' }), { host: '127.0.0.1', port: 0, maxConnections: 20, onNotice: () => {} });
    const report = JSON.parse(await capture(['--url', server.url, '--hostile', '60', '--requests', '5', '--json'])) as HostileReport;
    expect(report.hostile).toMatchObject({ asked: 60, kinds: { idle: 20, headers: 20, body: 20 }, sourceAddresses: 2 });
    expect(report.hostile.opened).toBeGreaterThanOrEqual(60);
    expect(report.routes.map((r) => [r.route, r.ok, r.failed])).toEqual([['/health', 5, 0], ['/metrics', 5, 0]]);
    expect(report.routes[0]!.p99Ms).toBeGreaterThanOrEqual(report.routes[0]!.p50Ms!);
    expect(server.connections().shed).toBeGreaterThan(0);
  });

  it('prints a table, and refuses a count its own open-file limit cannot hold', async () => {
    server = await startHttpServer(createApp({ api: new FakeNodeApi(), host: '127.0.0.1' }), { host: '127.0.0.1', port: 0, onNotice: () => {} });
    const table = await capture(['--url', server.url, '--hostile', '9', '--requests', '2']);
    expect(table).toMatch(/9 hostile sockets \(3 idle, 3 half-sent headers, 3 slow bodies\)/);
    expect(table).toMatch(/^GET \/health\s+2\s+2\s+0\s/m);
    await expect(bench(['http', '--url', server.url, '--hostile', '100000000'])).rejects.toThrow(/needs an open-file limit of at least 100000256, and this process has \d+: raise it first \(ulimit -n/);
  });
});
