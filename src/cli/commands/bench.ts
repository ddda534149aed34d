import { FlagError, type FlagSpec } from '../../../bench/flags.js';
import { parseCommandArgs } from '../args.js';
import { CliError } from '../errors.js';

/**
 * What the CLI needs of a benchmark in bench/: its flags, the settings they give (a bad value throws
 * a FlagError), and a run. The CLI parses; the benchmarks never import src/cli.
 */
interface BenchModule {
  options: FlagSpec;
  settingsFrom(values: Record<string, string | boolean | undefined>): unknown;
  run(settings: unknown): Promise<void>;
}

/** `carechain bench <name>`: each benchmark lives in bench/. */
const benchmarks: Record<string, () => Promise<BenchModule>> = {
  kernels: () => import('../../../bench/kernels.js'),
  threads: () => import('../../../bench/threads.js'),
  chain: () => import('../../../bench/chain.js'),
  http: () => import('../../../bench/http.js'),
  stratum: () => import('../../../bench/stratum.js'),
  consent: () => import('../../../bench/consent.js'),
  sync: () => import('../../../bench/sync.js'),
  propagation: () => import('../../../bench/propagation.js'),
};

/** What `bench all` (and `npm run bench`) runs, one after another — never two at once. */
const ALL = ['kernels', 'threads', 'chain', 'stratum', 'sync', 'propagation'];

export async function run(args: string[]): Promise<void> {
  const [name, ...rest] = args;
  const names = name === 'all' ? ALL : name && benchmarks[name] ? [name] : [];
  if (names.length === 0) throw new CliError(`bench needs one of: ${[...Object.keys(benchmarks), 'all'].join(', ')}`);
  // Every benchmark's flags are checked before the first one runs: `bench all` takes minutes.
  const runs = [];
  for (const benchName of names) {
    const bench = await benchmarks[benchName]!();
    runs.push({ benchName, bench, settings: settingsOf(bench, rest) });
  }
  for (const { benchName, bench, settings } of runs) {
    if (names.length > 1) process.stderr.write(`\n== bench ${benchName}\n`);
    try {
      await bench.run(settings);
    } catch (err) {
      throw err instanceof FlagError ? new CliError(err.message) : err;
    }
  }
}

function settingsOf(bench: BenchModule, args: string[]): unknown {
  const { values } = parseCommandArgs(args, bench.options);
  try {
    return bench.settingsFrom(values as Record<string, string | boolean | undefined>);
  } catch (err) {
    throw err instanceof FlagError ? new CliError(err.message) : err;
  }
}
