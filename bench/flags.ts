// A benchmark's flags: a node:util parseArgs spec that the CLI parses (src/cli/commands/bench.ts),
// and the checks that turn the parsed values into the benchmark's settings. The CLI imports the
// benchmarks, never the other way round, so nothing here imports src/cli.
import type { parseArgs, ParseArgsConfig } from 'node:util';

export type FlagSpec = NonNullable<ParseArgsConfig['options']>;

/** What strict parseArgs gives for a spec: a string or boolean per flag (undefined when it has no default). */
export type FlagValues<O extends FlagSpec> = ReturnType<typeof parseArgs<{ options: O; strict: true }>>['values'];

/** A flag value a benchmark cannot use. The CLI reports it as a usage error, in one line. */
export class FlagError extends Error {
  override readonly name = 'FlagError';
}

/** A positive finite number (seconds, a rate) from a flag's value, or a FlagError naming the flag. */
export function positiveNumber(value: string, flag: string): number {
  const n = Number(value);
  if (!(n > 0) || !Number.isFinite(n)) throw new FlagError(`${flag} must be a positive number, got "${value}"`);
  return n;
}

/** A non-negative safe integer (a count) from a flag's value, or a FlagError naming the flag. */
export function count(value: string, flag: string): number {
  const n = /^\d+$/.test(value.trim()) ? Number(value) : NaN;
  if (!Number.isSafeInteger(n)) throw new FlagError(`${flag} must be a non-negative integer, got "${value}"`);
  return n;
}
