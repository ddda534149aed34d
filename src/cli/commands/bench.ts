import { CliError } from '../errors.js';

/** `carechain bench <name>`: each benchmark lives in bench/ and parses its own flags. */
const benchmarks: Record<string, () => Promise<{ run(args: string[]): Promise<void> }>> = {
  kernels: () => import('../../../bench/kernels.js'),
};

export async function run(args: string[]): Promise<void> {
  const [name, ...rest] = args;
  if (name === 'all') {
    for (const [benchName, load] of Object.entries(benchmarks)) {
      process.stderr.write(`\n== bench ${benchName}\n`);
      await (await load()).run(rest);
    }
    return;
  }
  const load = name ? benchmarks[name] : undefined;
  if (!load) throw new CliError(`bench needs one of: ${[...Object.keys(benchmarks), 'all'].join(', ')}`);
  await (await load()).run(rest);
}
