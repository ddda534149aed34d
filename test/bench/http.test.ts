import { afterEach, describe, expect, it, vi } from 'vitest';
import type { HttpBenchReport } from '../../bench/http.js';
import { run as bench } from '../../src/cli/commands/bench.js';
import { CliError } from '../../src/cli/errors.js';
import { createApp } from '../../src/http/app.js';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js';
import { FakeNodeApi } from '../http/fake-node-api.js';
import { captureBench } from './run-bench.js';

/** A fake miner whose hash counter grows with time, so the hash-rate columns have something to read. */
class HashingFakeNodeApi extends FakeNodeApi {
  readonly #started = performance.now();
  override mining() {
    return { ...super.mining(), hashesTotal: Math.round((performance.now() - this.#started) * 1e4) };
  }
}

let server: RunningHttpServer | undefined;
afterEach(async () => {
  vi.restoreAllMocks();
  await server?.close();
  server = undefined;
});

const capture = (args: string[]) => captureBench(['http', ...args]);

// A smoke test only: one second per scenario against a fake node, never a measurement.
// `carechain bench http` as the CLI runs it: the CLI parses the flags, bench/http.ts runs.
describe('bench/http.ts', () => {
  it('loads GET /status and POST /txs and reports one JSON object with --json', async () => {
    const api = new HashingFakeNodeApi();
    server = await startHttpServer(createApp({ api, host: '127.0.0.1', rateLimit: false }), { host: '127.0.0.1', port: 0 });
    const report = JSON.parse(await capture(['--url', server.url, '--duration', '1', '--connections', '2', '--sample', '0.2', '--json'])) as HttpBenchReport;
    expect(report.scenarios.map((s) => s.name)).toEqual(['GET /status', 'POST /txs (invalid tx)']);
    const [status, txs] = report.scenarios;
    expect(status!.requestsPerSecond).toBeGreaterThan(0);
    expect(status!.ok2xx).toBeGreaterThan(0);
    expect(status!.latencyP99Ms).toBeGreaterThanOrEqual(status!.latencyP50Ms);
    // The fake accepts any bytes, so the POSTs got 202s and reached the node (autocannon does not
    // count the requests still in flight when time is up: at most one per connection).
    expect(txs!.statusCodes['202']).toBe(txs!.ok2xx);
    expect(api.submitted.length - txs!.ok2xx).toBeGreaterThanOrEqual(0);
    expect(api.submitted.length - txs!.ok2xx).toBeLessThanOrEqual(2);
    expect(report.hashRateIdle).toBeGreaterThan(0);
    expect(status!.hashRateDuring).toBeGreaterThan(0);
  });

  it('prints a table, with n/a hash rate when /mining is not there, and counts refused requests', async () => {
    const api = new FakeNodeApi();
    api.mining = () => {
      throw new Error('no miner');
    };
    server = await startHttpServer(createApp({ api, host: '127.0.0.1', rateLimit: { requestsPerSecond: 1, burst: 1 }, onInternalError: () => {} }), { host: '127.0.0.1', port: 0 });
    const table = await capture(['--url', server.url, '--duration', '1', '--connections', '1', '--sample', '0.1']);
    const lines = table.trim().split('\n');
    expect(lines[0]).toMatch(/idle hash rate n\/a MH\/s/);
    expect(lines[1]).toMatch(/^scenario\s+req\/s\s+p50 ms\s+p99 ms/);
    expect(lines[2]).toMatch(/^GET \/status .* \(429×\d+\)/);
    expect(lines[2]).toMatch(/n\/a\s+n\/a$/);
  });

  it('refuses bad flags as usage errors, before any load', async () => {
    await expect(bench(['http', '--url', 'ftp://x'])).rejects.toThrow(new CliError('--url must be an http(s) URL, got "ftp://x"'));
    await expect(bench(['http', '--duration', '0'])).rejects.toThrow(new CliError('--duration must be a positive number, got "0"'));
    await expect(bench(['http', '--bogus'])).rejects.toThrow(CliError);
  });
});
