import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { FlagError, positiveNumber, type FlagValues } from './flags.js';
import { formatFloodReport, measureFlood } from './http-flood.js';
import { formatHostileReport, measureHostile } from './http-hostile.js';
import { startBenchNode, unfundedTransfers } from './http-node.js';

/** The flags `carechain bench http` takes (COMMAND_HELP documents each). */
export const options = {
  url: { type: 'string' },
  duration: { type: 'string', default: '10' },
  connections: { type: 'string', default: '10' },
  sample: { type: 'string', default: '5' },
  rate: { type: 'string' },
  txs: { type: 'string' },
  hostile: { type: 'string' },
  flood: { type: 'string' },
  requests: { type: 'string', default: '200' },
  json: { type: 'boolean', default: false },
} as const;

/**
 * `bench/http.ts`: HTTP throughput and latency of a mining node under autocannon load
 * (GET /status, then POST /txs), and the hash rate the node loses while serving it, read from
 * /mining's hash counter before and during the load.
 *
 *   carechain bench http [--url http://127.0.0.1:8080] [--duration 10] [--connections 10]
 *        [--rate R (requests/s in all; default: as fast as it answers)]
 *        [--txs FILE (one raw tx hex per line)] [--sample 5] [--json]
 *
 * Without --url it starts a node of its own (test network, temporary data, every core mining, rate
 * limit off) and posts signed transfers from unfunded keys: each is decoded and signature-checked,
 * then refused (422). A node given by --url should run with `--rate-limit 0`, or most answers will
 * be 429s: the report counts non-2xx answers so that cannot pass unnoticed. autocannon runs in this
 * process: on a 2-core machine its own CPU is part of the hash rate lost.
 *
 * `--hostile N [--requests 200]` measures something else (bench/http-hostile.ts): /health and
 * /metrics latency with N hostile sockets held open; its own node then runs with the default caps,
 * timeouts and rate limit, as users run it.
 */
export async function run(settings: HttpBenchSettings): Promise<void> {
  if (settings.hostile !== undefined) return runHostile(settings, settings.hostile);
  if (settings.flood !== undefined) return runFlood(settings, settings.flood);
  const autocannon = loadAutocannon();
  const txs = settings.txsFile ? readFileSync(settings.txsFile, 'utf8').split(/\s+/).filter(Boolean) : [];
  // The load comes from one address over many connections: no per-address caps on its own node.
  const own = settings.url ? null : await startBenchNode(['--rate-limit', '0', '--max-connections-per-client', '0']);
  try {
    const settled = { ...settings, url: settings.url ?? own!.url, txs: txs.length || settings.url ? txs : unfundedTransfers(2000) };
    const report = await measure(autocannon, settled, own !== null);
    process.stdout.write(settings.json ? JSON.stringify(report) + '\n' : formatTable(report));
  } finally {
    await own?.stop();
  }
}

export interface HttpBenchSettings {
  /** A running node; without it the benchmark starts one of its own. */
  url: string | undefined;
  durationSeconds: number;
  connections: number;
  sampleSeconds: number;
  /** Requests per second in all (autocannon's overallRate); unset: as fast as the node answers. */
  rate: number | undefined;
  /** A file of raw transactions to post, one hex per line. */
  txsFile: string | undefined;
  /** Hostile sockets to hold open (the --hostile mode), or undefined for the load scenarios. */
  hostile: number | undefined;
  /** Timed requests per route in the --hostile mode. */
  requests: number;
  /** Better payers posted into a full mempool (the --flood mode). */
  flood: number | undefined;
  json: boolean;
}

/** The settings of a run, from the parsed flags; a value it cannot use throws a FlagError. */
export function settingsFrom(values: FlagValues<typeof options>): HttpBenchSettings {
  const url = values.url?.replace(/\/+$/, '');
  if (url !== undefined && !/^https?:\/\//.test(url)) throw new FlagError(`--url must be an http(s) URL, got "${values.url}"`);
  return {
    url,
    durationSeconds: positiveNumber(values.duration, '--duration'),
    connections: Math.round(positiveNumber(values.connections, '--connections')),
    sampleSeconds: positiveNumber(values.sample, '--sample'),
    rate: values.rate === undefined ? undefined : Math.round(positiveNumber(values.rate, '--rate')),
    txsFile: values.txs,
    hostile: values.hostile === undefined ? undefined : Math.round(positiveNumber(values.hostile, '--hostile')),
    requests: Math.round(positiveNumber(values.requests, '--requests')),
    flood: values.flood === undefined ? undefined : Math.round(positiveNumber(values.flood, '--flood')),
    json: values.json,
  };
}

async function runFlood(settings: HttpBenchSettings, flood: number): Promise<void> {
  if (settings.url) throw new FlagError('--flood prepares a node of its own: leave out --url');
  const autocannon = loadAutocannon();
  const post = (url: string) => async (bodies: string[], connections: number) => {
    let next = 0;
    const started = performance.now();
    const result = await autocannon({
      url: `${url}/txs`,
      method: 'POST',
      connections,
      amount: bodies.length,
      headers: { 'content-type': 'application/json' },
      requests: [{ setupRequest: (request) => ({ ...request, body: bodies[next++ % bodies.length] }) }],
    });
    const statusCodes = Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count]));
    return { seconds: (performance.now() - started) / 1000, statusCodes, ok: result['2xx'] };
  };
  const report = await measureFlood(flood, settings.connections, post);
  process.stdout.write(settings.json ? JSON.stringify(report) + '\n' : formatFloodReport(report));
}

async function runHostile(settings: HttpBenchSettings, hostile: number): Promise<void> {
  const own = settings.url ? null : await startBenchNode([]);
  try {
    const report = await measureHostile({ url: settings.url ?? own!.url, hostile, requests: settings.requests });
    process.stdout.write(settings.json ? JSON.stringify(report) + '\n' : formatHostileReport(report));
  } finally {
    await own?.stop();
  }
}

async function measure(autocannon: Autocannon, options: Options, ownNode: boolean): Promise<HttpBenchReport> {
  const idle = await hashRateOver(options.url, async () => sleep(options.sampleSeconds * 1000));
  const scenarios: ScenarioResult[] = [];
  for (const scenario of scenariosFor(options, ownNode)) {
    let loaded: Omit<ScenarioResult, 'hashRateDuring'> | undefined;
    const hashRate = await hashRateOver(options.url, async () => {
      loaded = await load(autocannon, options, scenario);
    });
    scenarios.push({ ...loaded!, hashRateDuring: hashRate });
  }
  return {
    url: options.url,
    durationSeconds: options.durationSeconds,
    connections: options.connections,
    rate: options.rate ?? null,
    nodeFlags: process.execArgv,
    hashRateIdle: idle,
    scenarios,
  };
}

export interface HttpBenchReport {
  url: string;
  durationSeconds: number;
  connections: number;
  /** The request rate asked for, or null for as fast as the node answers. */
  rate: number | null;
  /** V8 flags the benchmark itself ran with (DESIGN.md: a benchmark says which). */
  nodeFlags: string[];
  /** Hashes per second with no load, or null when /mining is not reachable. */
  hashRateIdle: number | null;
  scenarios: ScenarioResult[];
}

export interface ScenarioResult {
  name: string;
  requestsPerSecond: number;
  latencyP50Ms: number;
  latencyP99Ms: number;
  ok2xx: number;
  non2xx: number;
  /** Status code → count, so 400/409/429 answers are visible. */
  statusCodes: Record<string, number>;
  errors: number;
  hashRateDuring: number | null;
}

/** The settings with the node's URL and the transactions to post settled. */
interface Options extends HttpBenchSettings {
  url: string;
  txs: string[];
}

interface Scenario {
  name: string;
  method: 'GET' | 'POST';
  path: string;
  bodies?: string[];
}

function scenariosFor(options: Options, unfunded: boolean): Scenario[] {
  // Without signed transactions, POST /txs measures the decode-and-reject path: say so by name.
  const bodies = options.txs.length ? options.txs.map((hex) => JSON.stringify({ hex })) : [JSON.stringify({ hex: '00' })];
  const name = !options.txs.length ? 'POST /txs (invalid tx)' : unfunded ? 'POST /txs (signed, unfunded)' : 'POST /txs';
  return [
    { name: 'GET /status', method: 'GET', path: '/status' },
    { name, method: 'POST', path: '/txs', bodies },
  ];
}

async function load(autocannon: Autocannon, options: Options, scenario: Scenario): Promise<Omit<ScenarioResult, 'hashRateDuring'>> {
  let next = 0;
  const result = await autocannon({
    url: options.url + scenario.path,
    method: scenario.method,
    connections: options.connections,
    duration: options.durationSeconds,
    overallRate: options.rate,
    headers: { 'content-type': 'application/json' },
    requests: scenario.bodies
      ? [{ setupRequest: (request) => ({ ...request, body: scenario.bodies![next++ % scenario.bodies!.length] }) }]
      : undefined,
  });
  return {
    name: scenario.name,
    requestsPerSecond: result.requests.average,
    latencyP50Ms: result.latency.p50,
    latencyP99Ms: result.latency.p99,
    ok2xx: result['2xx'],
    non2xx: result.non2xx,
    statusCodes: Object.fromEntries(Object.entries(result.statusCodeStats ?? {}).map(([code, stat]) => [code, stat.count])),
    errors: result.errors + result.timeouts,
  };
}

/** Hashes per second across `during`, from /mining's hashesTotal; null if /mining cannot be read. */
async function hashRateOver(url: string, during: () => Promise<void>): Promise<number | null> {
  const before = await hashesTotal(url);
  const started = performance.now();
  await during();
  const after = await hashesTotal(url);
  const elapsed = (performance.now() - started) / 1000;
  if (before === null || after === null || elapsed <= 0) return null;
  return (after - before) / elapsed;
}

async function hashesTotal(url: string): Promise<number | null> {
  try {
    const res = await fetch(`${url}/mining`, { signal: AbortSignal.timeout(5000) });
    if (!res.ok) return null;
    const summary = (await res.json()) as { hashesTotal?: unknown };
    return typeof summary.hashesTotal === 'number' ? summary.hashesTotal : null;
  } catch {
    return null;
  }
}

function formatTable(report: HttpBenchReport): string {
  const mhs = (rate: number | null) => (rate === null ? 'n/a' : (rate / 1e6).toFixed(2));
  const loss = (rate: number | null) =>
    rate === null || !report.hashRateIdle ? 'n/a' : `${(100 * (1 - rate / report.hashRateIdle)).toFixed(1)} %`;
  const header = ['scenario', 'req/s', 'p50 ms', 'p99 ms', '2xx', 'non-2xx', 'errors', 'MH/s during', 'hash loss'];
  const rows = report.scenarios.map((s) => [
    s.name,
    s.requestsPerSecond.toFixed(0),
    s.latencyP50Ms.toFixed(2),
    s.latencyP99Ms.toFixed(2),
    String(s.ok2xx),
    s.non2xx ? `${s.non2xx} (${Object.entries(s.statusCodes).filter(([c]) => !c.startsWith('2')).map(([c, n]) => `${c}×${n}`).join(' ')})` : '0',
    String(s.errors),
    mhs(s.hashRateDuring),
    loss(s.hashRateDuring),
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => c.padEnd(widths[i]!)).join('  ').trimEnd();
  return [
    `node ${report.url}, ${report.connections} connections × ${report.durationSeconds} s each` +
      `${report.rate ? ` at ${report.rate} req/s` : ', as fast as it answers'}; idle hash rate ${mhs(report.hashRateIdle)} MH/s` +
      (report.nodeFlags.length ? `; flags ${report.nodeFlags.join(' ')}` : ''),
    line(header),
    ...rows.map(line),
    '',
  ].join('\n');
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// autocannon ships no types; this is the slice of its API the benchmark uses.
interface AutocannonResult {
  requests: { average: number };
  latency: { p50: number; p99: number };
  '2xx': number;
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodeStats?: Record<string, { count: number }>;
}
interface AutocannonRequest {
  setupRequest?: (request: Record<string, unknown>) => Record<string, unknown>;
}
type Autocannon = (options: {
  url: string;
  method: string;
  connections: number;
  /** Seconds to run, or: */
  duration?: number;
  /** requests to send in all. */
  amount?: number;
  overallRate?: number | undefined;
  headers: Record<string, string>;
  requests?: AutocannonRequest[] | undefined;
}) => Promise<AutocannonResult>;

/**
 * autocannon is a devDependency: a load generator is not part of a node. An install with
 * production dependencies only has none, and this benchmark says so instead of running.
 */
function loadAutocannon(): Autocannon {
  try {
    return createRequire(import.meta.url)('autocannon') as Autocannon;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'MODULE_NOT_FOUND') throw err;
    throw new Error('bench http needs autocannon, a devDependency this install left out: run it from a clone (npm ci), or npm install autocannon beside carechain');
  }
}
