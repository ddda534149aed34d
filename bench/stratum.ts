// `carechain bench stratum [--sessions 1000] [--rate 10000] [--seconds 10] [--window 4] [-t N] [--only validation|mine] [--json]`
//
// 1. Share validation under load: a node of its own (dev network, mining on N threads, Stratum on a
//    free port) and `--sessions` Stratum sessions from this process submitting `--rate` shares a
//    second in all, spread round-robin, for `--seconds` (`--rate 0`: as fast as the node answers,
//    `--window` submits in flight per session). Every share is fully checked (hash, Merkle root,
//    duplicate set): the sessions ask for difficulty 2^-32 (password d=…), which nearly every hash
//    meets, so the load is the accept path. Reported: shares validated per second, submit latency
//    p50/p99 (send → answer), refusals by code, and the node miner's hash rate idle and under the
//    load, side by side.
// 2. `carechain mine -t N` through a node's Stratum server (that node not mining) against
//    `bench threads` at the same thread count: what the protocol costs the miner.
//
// On a 2-core machine the load generator's own CPU is part of what the node's miner loses.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { connect, type Socket } from 'node:net';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { fileURLToPath } from 'node:url';
import { generateKeyPair } from '../src/chain/keys.js';
import { count, FlagError, type FlagValues } from './flags.js';
import { benchThreads, percentile } from './threads.js';

/** The flags `carechain bench stratum` takes (COMMAND_HELP documents each). */
export const options = {
  sessions: { type: 'string', default: '1000' },
  seconds: { type: 'string', default: '10' },
  window: { type: 'string', default: '4' },
  rate: { type: 'string', default: '10000' },
  threads: { type: 'string', short: 't' },
  only: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

export interface ValidationReport {
  sessions: number;
  /** Shares a second asked for in all, or null for as fast as the node answers (`window` in flight each). */
  rate: number | null;
  window: number;
  seconds: number;
  sharesPerSecond: number;
  accepted: number;
  rejected: number;
  /** Refusals by Stratum error code (21 stale after a new tip is expected; others are not). */
  refusedBy: Record<string, number>;
  submitP50Ms: number;
  submitP99Ms: number;
  nodeThreads: number;
  hashRateIdle: number | null;
  hashRateLoaded: number | null;
}

export interface MineReport {
  threads: number;
  seconds: number;
  /** carechain mine's own hash rate while mining through the node's Stratum server. */
  mineHashesPerSecond: number;
  sharesAccepted: number;
  /** bench threads' pool at the same thread count, in this process. */
  poolHashesPerSecond: number;
  ratio: number;
}

export interface StratumBenchReport {
  validation: ValidationReport | null;
  mine: MineReport | null;
  v8Flags: string[];
}

export interface StratumBenchSettings {
  sessions: number;
  window: number;
  /** Shares a second in all; 0: as fast as answered, `window` in flight per session. */
  rate: number;
  seconds: number;
  threads: number;
  only: 'validation' | 'mine' | undefined;
  json: boolean;
}

/** The settings of a run, from the parsed flags; a value it cannot use throws a FlagError. */
export function settingsFrom(values: FlagValues<typeof options>): StratumBenchSettings {
  const sessions = count(values.sessions, '--sessions');
  const window = count(values.window, '--window');
  const seconds = Number(values.seconds);
  if (sessions < 1 || sessions > 10_000) throw new FlagError('--sessions must be from 1 to 10000');
  if (window < 1 || window > 64) throw new FlagError('--window must be from 1 to 64');
  const rate = count(values.rate, '--rate');
  if (!(seconds > 0 && seconds <= 600)) throw new FlagError(`--seconds must be a number of seconds up to 600, got "${values.seconds}"`);
  const threads = values.threads === undefined ? availableParallelism() : count(values.threads, '--threads');
  if (threads < 1 || threads > 256) throw new FlagError('--threads must be from 1 to 256');
  if (values.only !== undefined && values.only !== 'validation' && values.only !== 'mine') throw new FlagError('--only takes validation or mine');
  return { sessions, window, rate, seconds, threads, only: values.only, json: values.json };
}

export async function run(settings: StratumBenchSettings): Promise<void> {
  const { sessions, window, rate, seconds, threads } = settings;
  const say = settings.json ? () => {} : (line: string) => process.stderr.write(`${line}\n`);
  const report: StratumBenchReport = {
    validation: settings.only === 'mine' ? null : await benchValidation({ sessions, window, rate, seconds, threads }, say),
    mine: settings.only === 'validation' ? null : await benchMine({ threads, seconds }, say),
    v8Flags: process.execArgv,
  };
  process.stdout.write(settings.json ? `${JSON.stringify(report)}\n` : formatReport(report));
}

// ── 1. share validation under load ──

async function benchValidation(o: { sessions: number; window: number; rate: number; seconds: number; threads: number }, say: (line: string) => void): Promise<ValidationReport> {
  const node = await startNode([
    '--network', 'dev', '-t', String(o.threads), '--rate-limit', '0',
    '--stratum-max-sessions', String(o.sessions + 16), '--stratum-max-per-address', String(o.sessions + 16), '--stratum-min-difficulty', '1e-12',
  ]);
  try {
    await sleep(2000); // the workers tier up
    say(`node mining on ${o.threads} thread(s); idle hash rate over ${o.seconds} s …`);
    const idle = await hashRateOver(node.url, o.seconds * 1000);
    say(`opening ${o.sessions} Stratum sessions …`);
    const { port } = parseStratumUrl(node.stratum);
    const key = generateKeyPair().publicKey;
    const sessions: LoadSession[] = [];
    for (let i = 0; i < o.sessions; i++) sessions.push(await LoadSession.open(port, key));
    await Promise.all(sessions.map((s) => s.ready));
    say(`${o.sessions} sessions submitting ${o.rate ? `${o.rate} shares/s in all` : `as fast as answered, ${o.window} in flight each`}, for ${o.seconds} s …`);
    const latencies: number[] = [];
    let loaded: number | null = null;
    const t0 = performance.now();
    const measured = hashRateOver(node.url, o.seconds * 1000).then((r) => (loaded = r));
    for (const s of sessions) s.start(o.rate ? 0 : o.window, latencies);
    const pacer = o.rate ? pace(sessions, o.rate, t0) : null;
    await measured;
    const elapsed = (performance.now() - t0) / 1000;
    if (pacer) clearInterval(pacer);
    for (const s of sessions) s.stop();
    await sleep(200); // the last answers land
    const refusedBy: Record<string, number> = {};
    for (const s of sessions) for (const [code, n] of Object.entries(s.refusedBy)) refusedBy[code] = (refusedBy[code] ?? 0) + n;
    const accepted = sessions.reduce((n, s) => n + s.accepted, 0);
    const rejected = sessions.reduce((n, s) => n + s.rejected, 0);
    for (const s of sessions) s.close();
    return {
      sessions: o.sessions,
      rate: o.rate || null,
      window: o.window,
      seconds: o.seconds,
      sharesPerSecond: (accepted + rejected) / elapsed,
      accepted,
      rejected,
      refusedBy,
      submitP50Ms: percentile(latencies, 50),
      submitP99Ms: percentile(latencies, 99),
      nodeThreads: o.threads,
      hashRateIdle: idle,
      hashRateLoaded: loaded,
    };
  } finally {
    await node.stop();
  }
}

/** `rate` submits a second in all, round-robin over the sessions, every 5 ms; a session with 64 in flight is skipped. */
function pace(sessions: LoadSession[], rate: number, t0: number): NodeJS.Timeout {
  let sent = 0;
  let next = 0;
  return setInterval(() => {
    const due = Math.floor(((performance.now() - t0) / 1000) * rate) - sent;
    for (let i = 0; i < due; i++) {
      for (let tries = 0; tries < sessions.length; tries++) {
        const s = sessions[next++ % sessions.length]!;
        if (s.inFlight < 64) {
          s.submit();
          break;
        }
      }
      sent++;
    }
  }, 5);
}

/** One Stratum session of the load: subscribe, authorize at difficulty 2^-32, then submits (paced, or kept in flight). */
class LoadSession {
  accepted = 0;
  rejected = 0;
  readonly refusedBy: Record<string, number> = {};
  readonly ready: Promise<void>;
  private buffer = '';
  private jobId: string | null = null;
  private ntime = '';
  private counter = 0;
  private readonly sentAt: number[] = [];
  private running = false;
  private window = 0;
  private latencies: number[] = [];

  private constructor(private readonly socket: Socket, private readonly key: string) {
    let resolveReady!: () => void;
    this.ready = new Promise((r) => (resolveReady = r));
    socket.setEncoding('utf8');
    socket.setNoDelay(true);
    socket.on('error', () => {});
    socket.on('data', (text: string) => {
      this.buffer += text;
      let nl: number;
      while ((nl = this.buffer.indexOf('\n')) >= 0) {
        const m = JSON.parse(this.buffer.slice(0, nl)) as { id: unknown; method?: string; params?: unknown[]; result?: unknown };
        this.buffer = this.buffer.slice(nl + 1);
        if (m.method === 'mining.notify') {
          this.jobId = m.params![0] as string;
          this.ntime = m.params![7] as string;
          resolveReady();
        } else if (m.id === 4) {
          this.answer(m.result === true, (m as { error?: unknown[] }).error?.[0]);
        }
      }
    });
    socket.write(`{"id":1,"method":"mining.subscribe","params":["carechain-bench"]}\n{"id":2,"method":"mining.authorize","params":["${key}","d=${2 ** -32}"]}\n`);
  }

  static open(port: number, key: string): Promise<LoadSession> {
    return new Promise((resolve, reject) => {
      const socket = connect({ host: '127.0.0.1', port }, () => resolve(new LoadSession(socket, key)));
      socket.once('error', reject);
    });
  }

  /** Start measuring; with a window, keep that many submits in flight (closed loop). */
  start(window: number, latencies: number[]): void {
    this.running = true;
    this.window = window;
    this.latencies = latencies;
    for (let i = 0; i < window; i++) this.submit();
  }

  get inFlight(): number {
    return this.sentAt.length;
  }

  stop(): void {
    this.running = false;
  }

  close(): void {
    this.socket.destroy();
  }

  submit(): void {
    // A fresh (extranonce2, nonce) each time: never a duplicate.
    const n = this.counter++;
    const nonce = (n >>> 0).toString(16).padStart(8, '0');
    this.sentAt.push(performance.now());
    this.socket.write(`{"id":4,"method":"mining.submit","params":["${this.key}","${this.jobId}","00000000","${this.ntime}","${nonce}"]}\n`);
  }

  private answer(ok: boolean, code: unknown): void {
    const sent = this.sentAt.shift();
    if (sent !== undefined && this.running) this.latencies.push(performance.now() - sent);
    if (ok) this.accepted++;
    else {
      this.rejected++;
      this.refusedBy[String(code)] = (this.refusedBy[String(code)] ?? 0) + 1;
    }
    if (this.running && this.window > 0) this.submit();
  }
}

// ── 2. carechain mine through the node against the bare pool ──

async function benchMine(o: { threads: number; seconds: number }, say: (line: string) => void): Promise<MineReport> {
  const node = await startNode(['--network', 'dev', '--no-mine', '--rate-limit', '0']);
  let mine: ChildProcess | undefined;
  try {
    say(`carechain mine -t ${o.threads} through the node's Stratum server, ${o.seconds} s …`);
    mine = carechain(['mine', '-o', node.stratum, '-u', generateKeyPair().publicKey, '-t', String(o.threads), '--json', '--http-port', '0']);
    const events: Record<string, unknown>[] = [];
    readJsonLines(mine, events);
    const http = await until(() => events.find((e) => e.event === 'http')?.url as string | undefined, 60_000, 'carechain mine to serve its --http-port');
    await sleep(Math.min(2000, o.seconds * 500)); // workers tier up, first jobs arrive
    const mineRate = await hashRateOver(http, o.seconds * 1000);
    const sharesAccepted = events.filter((e) => e.event === 'share' && e.accepted).length;
    mine.kill('SIGINT');
    await new Promise((resolve) => mine!.once('exit', resolve));
    await node.stop();
    say(`bench threads at ${o.threads} thread(s), ${o.seconds} s …`);
    const pool = await benchThreads({ threads: [o.threads], seconds: o.seconds, switches: 1 });
    const poolRate = pool.results[0]!.hashesPerSecond;
    return { threads: o.threads, seconds: o.seconds, mineHashesPerSecond: mineRate ?? 0, sharesAccepted, poolHashesPerSecond: poolRate, ratio: (mineRate ?? 0) / poolRate };
  } finally {
    if (mine && mine.exitCode === null && mine.signalCode === null) mine.kill('SIGKILL');
    await node.stop();
  }
}

// ── plumbing ──

interface BenchNode {
  url: string;
  stratum: string;
  stop(): Promise<void>;
}

/** `carechain start` from this build, in a temporary data directory, API and Stratum on free ports. */
async function startNode(args: string[]): Promise<BenchNode> {
  const dataDir = mkdtempSync(join(tmpdir(), 'carechain-bench-stratum-'));
  const child = carechain(['start', '--data', dataDir, '--port', '0', '--stratum-port', '0', ...args]);
  let output = '';
  child.stdout!.on('data', (c: Buffer) => (output += c.toString()));
  child.stderr!.on('data', (c: Buffer) => (output += c.toString()));
  const exited = new Promise((resolve) => child.once('exit', resolve));
  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
    await exited;
    rmSync(dataDir, { recursive: true, force: true });
  };
  try {
    const url = await until(() => /http: listening on (http:\/\/\S+)/.exec(output)?.[1], 60_000, `the bench node to listen:\n${output}`);
    const stratum = /stratum: listening on (stratum\+tcp:\/\/\S+)/.exec(output)![1]!;
    return { url, stratum, stop };
  } catch (err) {
    await stop();
    throw err;
  }
}

function carechain(args: string[]): ChildProcess {
  const main = fileURLToPath(new URL('../src/cli/main.js', import.meta.url)).replace(/\.js$/, import.meta.url.endsWith('.ts') ? '.ts' : '.js');
  const loader = main.endsWith('.ts') ? ['--import', 'tsx'] : [];
  return spawn(process.execPath, [...loader, main, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
}

function readJsonLines(child: ChildProcess, into: Record<string, unknown>[]): void {
  let buffer = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      into.push(JSON.parse(buffer.slice(0, nl)) as Record<string, unknown>);
      buffer = buffer.slice(nl + 1);
    }
  });
}

/** Hashes per second from /mining's hash counter over `ms`, or null when it cannot be read. */
async function hashRateOver(url: string, ms: number): Promise<number | null> {
  const read = async () => ((await (await fetch(`${url}/mining`)).json()) as { hashesTotal: number }).hashesTotal;
  try {
    const [h0, t0] = [await read(), performance.now()];
    await sleep(ms);
    const [h1, t1] = [await read(), performance.now()];
    return ((h1 - h0) * 1000) / (t1 - t0);
  } catch {
    return null;
  }
}

async function until<T>(read: () => T | undefined, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = read();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

function parseStratumUrl(url: string): { port: number } {
  return { port: Number(/:(\d+)$/.exec(url)![1]) };
}

function formatReport(r: StratumBenchReport): string {
  const lines = [`Stratum benchmark (V8 flags: ${r.v8Flags.join(' ') || 'none'})`];
  const mhs = (x: number | null) => (x === null ? 'n/a' : (x / 1e6).toFixed(2));
  if (r.validation) {
    const v = r.validation;
    const lost = v.hashRateIdle && v.hashRateLoaded !== null ? `${(100 * (1 - v.hashRateLoaded / v.hashRateIdle)).toFixed(1)} %` : 'n/a';
    const refused = Object.entries(v.refusedBy).map(([code, n]) => `${n} × ${code}`).join(', ') || 'none refused';
    lines.push(
      `share validation: ${v.sessions} sessions, ${v.rate ? `${v.rate} shares/s asked in all` : `${v.window} submits in flight each`}, ${v.seconds} s`,
      `  ${Math.round(v.sharesPerSecond).toLocaleString('en')} shares/s validated (${v.accepted} accepted; ${refused}), submit p50 ${v.submitP50Ms.toFixed(2)} ms, p99 ${v.submitP99Ms.toFixed(2)} ms`,
      `  node miner on ${v.nodeThreads} thread(s): ${mhs(v.hashRateIdle)} MH/s idle, ${mhs(v.hashRateLoaded)} MH/s under the load (${lost} lost)`,
    );
  }
  if (r.mine) {
    const m = r.mine;
    lines.push(
      `carechain mine -t ${m.threads} through the node's Stratum server: ${mhs(m.mineHashesPerSecond)} MH/s (${m.sharesAccepted} shares accepted)`,
      `  bench threads at ${m.threads} thread(s): ${mhs(m.poolHashesPerSecond)} MH/s; carechain mine at ${(100 * m.ratio).toFixed(1)} % of it`,
    );
  }
  return `${lines.join('\n')}\n`;
}
