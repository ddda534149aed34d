// `carechain bench threads [-t 1,2] [--seconds S] [--switches N] [--json]`: the mining pool's total
// and per-worker hash rate at each thread count, beside the bare kernel's one-thread rate measured
// in the same run, and job-switch latency (new job → last worker hashing it) over many switches.
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { loadKernel, type Kernel } from '../src/kernel/kernel.js';
import type { MiningJob } from '../src/miner/job.js';
import { MinerPool } from '../src/miner/pool.js';
import { count, FlagError, positiveNumber, type FlagValues } from './flags.js';

export interface ThreadsResult {
  threads: number;
  hashesPerSecond: number;
  perWorker: number[];
  /** Total rate over the 1-thread pool's (null when 1 is not among the counts). */
  scaling: number | null;
  /** Total rate over threads × the bare kernel's one-thread rate. */
  ofKernel: number;
}

export interface ThreadsReport {
  kernelHashesPerSecond: number;
  results: ThreadsResult[];
  jobSwitchMs: { p50: number; p99: number; switches: number; threads: number };
  flavor: string;
  seconds: number;
  v8Flags: string[];
}

/** The flags `carechain bench threads` takes (COMMAND_HELP documents each). */
export const options = {
  threads: { type: 'string', short: 't' },
  seconds: { type: 'string', default: '5' },
  switches: { type: 'string', default: '200' },
  json: { type: 'boolean', default: false },
} as const;

export interface ThreadsBenchSettings {
  /** Thread counts to measure, in order. */
  threads: number[];
  /** Seconds per thread count. */
  seconds: number;
  /** Job switches timed on the most threads. */
  switches: number;
  json: boolean;
}

/** The settings of a run, from the parsed flags; a value it cannot use throws a FlagError. */
export function settingsFrom(values: FlagValues<typeof options>): ThreadsBenchSettings {
  const seconds = positiveNumber(values.seconds, '--seconds');
  if (seconds > 3600) throw new FlagError(`--seconds must be a number of seconds up to 3600, got "${values.seconds}"`);
  const switches = count(values.switches, '--switches');
  if (switches < 1) throw new FlagError('--switches must be at least 1');
  return { threads: parseThreadList(values.threads), seconds, switches, json: values.json };
}

export async function run(settings: ThreadsBenchSettings): Promise<void> {
  const progress = settings.json ? undefined : new Progress();
  const report = await benchThreads({ ...settings, progress });
  if (settings.json) process.stdout.write(`${JSON.stringify(report)}\n`);
  else process.stdout.write(formatReport(report));
}

export async function benchThreads(options: { threads: number[]; seconds: number; switches: number; progress?: Progress | undefined }): Promise<ThreadsReport> {
  const { progress } = options;
  const kernel = loadKernel();
  progress?.line(`bare kernel (${kernel.flavor}), 1 thread, ${options.seconds} s …`);
  const kernelHashesPerSecond = bareKernelRate(kernel, options.seconds);
  progress?.done(`bare kernel (${kernel.flavor}), 1 thread: ${mhs(kernelHashesPerSecond)} MH/s`);

  const results: ThreadsResult[] = [];
  let latencies: number[] = [];
  const most = Math.max(...options.threads);
  for (const threads of options.threads) {
    const pool = new MinerPool({ threads });
    try {
      await pool.start();
      pool.setJob(benchJob('rate'));
      await sleep(Math.min(1000, options.seconds * 500)); // workers tier up and size their slices
      const before = pool.workerHashes().map((w) => w.hashes);
      const t0 = performance.now();
      const end = t0 + options.seconds * 1000;
      while (performance.now() < end) {
        await sleep(Math.min(250, end - performance.now()));
        const total = pool.totalHashes() - sum(before);
        progress?.line(`${threads} thread${threads === 1 ? '' : 's'}: ${mhs((total * 1000) / (performance.now() - t0))} MH/s …`);
      }
      const elapsed = (performance.now() - t0) / 1000;
      const perWorker = pool.workerHashes().map((w, i) => (w.hashes - before[i]!) / elapsed);
      const total = sum(perWorker);
      results.push({ threads, hashesPerSecond: total, perWorker, scaling: null, ofKernel: total / (threads * kernelHashesPerSecond) });
      progress?.done(`${threads} thread${threads === 1 ? '' : 's'}: ${mhs(sum(perWorker))} MH/s (${perWorker.map(mhs).join(' + ')})`);
      if (threads === most) latencies = await switchLatencies(pool, options.switches, progress);
    } finally {
      await pool.close();
    }
  }
  const one = results.find((r) => r.threads === 1)?.hashesPerSecond;
  for (const r of results) r.scaling = one ? r.hashesPerSecond / one : null;
  return {
    kernelHashesPerSecond,
    results,
    jobSwitchMs: { p50: percentile(latencies, 50), p99: percentile(latencies, 99), switches: latencies.length, threads: most },
    flavor: kernel.flavor,
    seconds: options.seconds,
    v8Flags: process.execArgv,
  };
}

/** The kernel alone on this thread, scanning in ~3 ms calls as a worker does, against a target nothing meets. */
function bareKernelRate(kernel: Kernel, seconds: number): number {
  const header = benchJob('kernel').work.headerFor(0);
  const target = new Uint8Array(32);
  let batch = 1 << 12;
  for (let i = 0; i < 200; i++) {
    const t = performance.now();
    kernel.scanHeader(header, target, i * batch, batch);
    const ms = performance.now() - t;
    if (ms > 0.05) batch = Math.max(1 << 10, Math.min(1 << 22, Math.round((batch * 3) / ms)));
  }
  let hashes = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < seconds * 1000) {
    kernel.scanHeader(header, target, hashes % 2 ** 31, batch);
    hashes += batch;
  }
  return (hashes * 1000) / (performance.now() - t0);
}

/** Switch jobs again and again, a few ms apart, and collect the pool's own switch timings. */
async function switchLatencies(pool: MinerPool, count: number, progress?: Progress): Promise<number[]> {
  const samples: number[] = [];
  pool.on('jobSwitch', (s) => samples.push(s.ms));
  for (let i = 0; i < count; i++) {
    const before = samples.length;
    pool.setJob(benchJob(`switch-${i}`));
    const deadline = performance.now() + 2000;
    while (samples.length === before && performance.now() < deadline) await sleep(1);
    await sleep(2 + Math.random() * 8); // land the next switch at a random point of a slice
    if (i % 20 === 19) progress?.line(`job switches: ${i + 1}/${count}, p99 so far ${percentile(samples, 99).toFixed(2)} ms …`);
  }
  pool.removeAllListeners('jobSwitch');
  progress?.done(`job switches: ${samples.length} timed`);
  return samples;
}

/** A job no hash meets (target 0), with a distinct header per job and extranonce. */
function benchJob(id: string): MiningJob {
  const tag = new TextEncoder().encode(id);
  return {
    id,
    work: {
      target: new Uint8Array(32),
      headerFor(extranonce: number): Uint8Array {
        const header = new Uint8Array(80);
        const view = new DataView(header.buffer);
        view.setUint32(0, 1, true);
        header.set(tag.subarray(0, 32), 4);
        view.setUint32(36, extranonce, true);
        view.setUint32(72, 0x1d00ffff, true);
        return header;
      },
    },
  };
}

function parseThreadList(value: string | undefined): number[] {
  if (value === undefined) return Array.from({ length: availableParallelism() }, (_, i) => i + 1);
  const list = value.split(',').map((part) => count(part, '--threads'));
  if (list.length === 0 || list.some((t) => t < 1 || t > 256)) throw new FlagError(`--threads takes counts from 1 to 256, got "${value}"`);
  return list;
}

/** Nearest-rank percentile; NaN without samples. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!;
}

function formatReport(r: ThreadsReport): string {
  const lines = [
    `mining pool, SHA-256d against a target nothing meets, ${r.seconds} s per thread count (kernel ${r.flavor}; V8 flags: ${r.v8Flags.join(' ') || 'none'})`,
    `bare kernel, 1 thread: ${mhs(r.kernelHashesPerSecond)} MH/s`,
    'threads  total MH/s  × 1 thread  of N × kernel  per worker MH/s',
    ...r.results.map((x) =>
      [
        String(x.threads).padEnd(8),
        mhs(x.hashesPerSecond).padStart(10),
        (x.scaling === null ? 'n/a' : x.scaling.toFixed(2)).padStart(11),
        `${(100 * x.ofKernel).toFixed(1)} %`.padStart(14),
        ` ${x.perWorker.map(mhs).join(' ')}`,
      ].join(' '),
    ),
    `job switch, ${r.jobSwitchMs.switches} switches on ${r.jobSwitchMs.threads} threads: p50 ${r.jobSwitchMs.p50.toFixed(2)} ms, p99 ${r.jobSwitchMs.p99.toFixed(2)} ms`,
  ];
  return `${lines.join('\n')}\n`;
}

/** Progress on stderr: one live line on a terminal, plain lines otherwise. */
class Progress {
  private readonly tty = !!process.stderr.isTTY;

  line(text: string): void {
    if (this.tty) process.stderr.write(`\r\x1b[K${text}`);
  }

  done(text: string): void {
    process.stderr.write(this.tty ? `\r\x1b[K${text}\n` : `${text}\n`);
  }
}

const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
const mhs = (hps: number) => (hps / 1e6).toFixed(2);
