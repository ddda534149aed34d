import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/**
 * A real Prometheus server (Debian's `prometheus` package, installed by .ci/run) for end-to-end
 * tests: loopback only, a temp config and data dir, a fast scrape interval, stopped and removed
 * by stop().
 */
export interface PrometheusServer {
  /** e.g. http://127.0.0.1:40123 */
  url: string;
  /** An instant query through /api/v1/query; throws on an error answer. */
  query(promql: string): Promise<PromSample[]>;
  /** Polls `promql` until it returns at least one sample (after the first scrapes) or times out. */
  waitForSamples(promql: string, timeoutMs?: number): Promise<PromSample[]>;
  stop(): Promise<void>;
}

export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface PrometheusOptions {
  /** host:port of the node to scrape, e.g. 127.0.0.1:8080. */
  target: string;
  metricsPath?: string;
  scrapeIntervalSeconds?: number;
  /** Passed as a bearer token on each scrape. */
  bearerToken?: string;
  readyTimeoutMs?: number;
}

export function prometheusInstalled(): boolean {
  return spawnSync('prometheus', ['--version'], { stdio: 'ignore' }).status === 0;
}

export async function startPrometheus(options: PrometheusOptions): Promise<PrometheusServer> {
  const dir = await mkdtemp(join(tmpdir(), 'carechain-prometheus-'));
  const configFile = join(dir, 'prometheus.yml');
  await writeFile(configFile, scrapeConfig(options));
  const port = await freeLoopbackPort();
  const url = `http://127.0.0.1:${port}`;
  const logs: string[] = [];
  const child = spawn(
    'prometheus',
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  for (const stream of [child.stdout, child.stderr]) stream!.on('data', (chunk: Buffer) => logs.push(chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', resolve));

  const stop = async () => {
    await stopChild(child, exited);
    await rm(dir, { recursive: true, force: true });
  };
  try {
    await waitUntilReady(url, exited, options.readyTimeoutMs ?? 30_000);
  } catch (err) {
    await stop();
    throw new Error(`prometheus did not become ready: ${(err as Error).message}\n${logs.join('').slice(-2000)}`);
  }

  const query = async (promql: string): Promise<PromSample[]> => {
    const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
    const body = (await res.json()) as { status: string; error?: string; data?: { result: { metric: Record<string, string>; value: [number, string] }[] } };
    if (body.status !== 'success') throw new Error(`query ${promql} failed: ${body.error ?? res.status}`);
    return body.data!.result.map((r) => ({ metric: r.metric, value: Number(r.value[1]) }));
  };

  const waitForSamples = async (promql: string, timeoutMs = 30_000): Promise<PromSample[]> => {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const samples = await query(promql);
      if (samples.length > 0) return samples;
      if (Date.now() > deadline) throw new Error(`no samples for ${promql} after ${timeoutMs} ms`);
      await sleep(250);
    }
  };

  return { url, query, waitForSamples, stop };
}

function scrapeConfig(options: PrometheusOptions): string {
  const interval = `${options.scrapeIntervalSeconds ?? 1}s`;
  const lines = [
    'global:',
    `  scrape_interval: ${interval}`,
    `  evaluation_interval: ${interval}`,
    'scrape_configs:',
    '  - job_name: carechain',
    `    metrics_path: ${JSON.stringify(options.metricsPath ?? '/metrics')}`,
    `    static_configs: [{ targets: [${JSON.stringify(options.target)}] }]`,
  ];
  if (options.bearerToken) lines.push(`    authorization: { type: Bearer, credentials: ${JSON.stringify(options.bearerToken)} }`);
  return lines.join('\n') + '\n';
}

async function waitUntilReady(url: string, exited: Promise<number | null>, timeoutMs: number): Promise<void> {
  let exitCode: number | null | undefined;
  void exited.then((code) => (exitCode = code));
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (exitCode !== undefined) throw new Error(`exited with code ${exitCode}`);
    try {
      if ((await fetch(`${url}/-/ready`)).ok) return;
    } catch {
      // not listening yet
    }
    await sleep(100);
  }
  throw new Error(`not ready after ${timeoutMs} ms`);
}

async function stopChild(child: ChildProcess, exited: Promise<number | null>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 10_000);
  await exited;
  clearTimeout(timer);
}

/** A port the kernel just handed out; Prometheus binds it a moment later. */
function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port'))));
    });
  });
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));
