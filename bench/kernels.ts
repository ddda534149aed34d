// `carechain bench kernels`: one-thread SHA-256d hash rate of our kernels beside the alternatives.
import { CONTENDER_NAMES, makeContenders, type SkippedContender } from './contenders.js';
import { FlagError, positiveNumber, type FlagValues } from './flags.js';
import { calibrate, median, timeWindow } from './measure.js';

export interface KernelBenchResult {
  name: string;
  threads: 1;
  hashesPerSecond: number;
  windows: number[];
}

/** A fixed header (Bitcoin's block 1, nonce field overwritten): the rate does not depend on it. */
const HEADER = Buffer.from(
  '010000006fe28c0ab6f1b372c1a6a246ae63f74f931e8365e15a089c68d6190000000000982051fd1e4ba744bbbe680e1fee14677ba1a3c3540bf7b1cdb606e857233e0e61bc6649ffff001d01e36299',
  'hex',
);

/** The flags `carechain bench kernels` takes (COMMAND_HELP documents each). */
export const options = {
  json: { type: 'boolean', default: false },
  seconds: { type: 'string', default: '1' },
  windows: { type: 'string', default: '5' },
  only: { type: 'string' },
} as const;

export interface KernelBenchSettings {
  /** Length of one window, per contender. */
  seconds: number;
  windows: number;
  /** Only these contenders (by name); all when absent. */
  only?: string[] | undefined;
  json: boolean;
}

/** The settings of a run, from the parsed flags; a value it cannot use throws a FlagError. */
export function settingsFrom(values: FlagValues<typeof options>): KernelBenchSettings {
  const windows = Number(values.windows);
  if (!Number.isInteger(windows) || windows < 1) throw new FlagError(`--windows must be a positive integer, got "${values.windows}"`);
  return { seconds: positiveNumber(values.seconds, '--seconds'), windows, only: values.only?.split(','), json: values.json };
}

export async function run(settings: KernelBenchSettings): Promise<void> {
  const { results, skipped } = await benchKernels({ ...settings, progress: !settings.json });
  if (settings.json) {
    process.stdout.write(`${JSON.stringify({ v8Flags: process.execArgv, results, skipped })}\n`);
    return;
  }
  process.stdout.write(formatTable(results));
}

/** Every contender that can run here, in turns; one that cannot is skipped with a line on stderr. */
export async function benchKernels(options: {
  seconds: number;
  windows: number;
  only?: string[] | undefined;
  progress?: boolean;
}): Promise<{ results: KernelBenchResult[]; skipped: SkippedContender[] }> {
  const made = await makeContenders(HEADER);
  const wanted = (name: string) => !options.only || options.only.includes(name);
  const contenders = made.contenders.filter((c) => wanted(c.name));
  const skipped = made.skipped.filter((c) => wanted(c.name));
  for (const c of skipped) process.stderr.write(`bench kernels: ${c.name} skipped: ${c.reason}\n`);
  if (contenders.length === 0) throw new FlagError(`--only names no contender that runs here (${CONTENDER_NAMES.join(', ')})`);
  const say = (line: string) => options.progress && process.stderr.write(line);
  // Warm-up: short calls until each contender runs its optimized code, then size its batches.
  const batches = contenders.map((c) => {
    for (let i = 0; i < 20; i++) c.run(i * 256, 256);
    timeWindow(c.run, 4096, 0.3);
    return calibrate(c.run);
  });
  const rates = contenders.map(() => [] as number[]);
  for (let w = 0; w < options.windows; w++) {
    say(`window ${w + 1}/${options.windows}:`);
    contenders.forEach((c, i) => {
      const { hashes, seconds } = timeWindow(c.run, batches[i]!, options.seconds, w * 2 ** 24);
      rates[i]!.push(hashes / seconds);
      say(` ${c.name} ${(hashes / seconds / 1e6).toFixed(2)}`);
    });
    say('\n');
  }
  const results = contenders.map((c, i) => ({ name: c.name, threads: 1 as const, hashesPerSecond: median(rates[i]!), windows: rates[i]! }));
  return { results, skipped };
}

function formatTable(results: KernelBenchResult[]): string {
  const baseline = results.find((r) => r.name === 'hash-wasm')?.hashesPerSecond;
  const lines = [
    `SHA-256d, one thread, median of ${results[0]?.windows.length ?? 0} windows (V8 flags: ${process.execArgv.join(' ') || 'none'})`,
    'contender       MH/s    × hash-wasm',
    ...results.map((r) => {
      const ratio = baseline ? (r.hashesPerSecond / baseline).toFixed(2) : 'n/a';
      return `${r.name.padEnd(14)} ${(r.hashesPerSecond / 1e6).toFixed(2).padStart(6)}    ${ratio.padStart(6)}`;
    }),
  ];
  return `${lines.join('\n')}\n`;
}
