import { CliError } from '../errors.js';

type BenchModule = { run(args: string[]): Promise<void> };

/** `carechain bench <name>`: each benchmark lives in bench/ and parses its own flags. */
const benchmarks: Record<string, () => Promise<BenchModule>> = {
  kernels: () => import('../../../bench/kernels.js'),
  threads: () => import('../../../bench/threads.js'),
  chain: () => import('../../../bench/chain.js'),
  http: () => import('../../../bench/http.js'),
  sync: () => import('../../../bench/sync.js'),
  propagation: () => import('../../../bench/propagation.js'),
};

/** What `bench all` (and `npm run bench`) runs, one after another — never two at once. */
const ALL = ['kernels', 'threads', 'chain', 'sync', 'propagation'];

export async function run(args: string[]): Promise<void> {
  const [name, ...rest] = args;
  if (name === 'all') {
    for (const benchName of ALL) {
      process.stderr.write(`\n== bench ${benchName}\n`);
      await (await benchmarks[benchName]!()).run(rest);
    }
    return;
  }
  const load = name ? benchmarks[name] : undefined;
  if (!load) throw new CliError(`bench needs one of: ${[...Object.keys(benchmarks), 'all'].join(', ')}`);
  await (await load()).run(rest);
}
