import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, strict, with its errors turned into one-line CLI errors. */
export function parseCommandArgs<O extends Options>(args: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args: joinNegativeValues(args, options), options, strict: true, allowPositionals });
  } catch (err) {
    throw new CliError((err as Error).message.split('\n')[0] ?? 'bad arguments');
  }
}

/** A non-negative safe integer from a flag value, or a clear error naming the flag. */
export function parseCount(value: string | undefined, flag: string, fallback?: number): number {
  if (value === undefined) {
    if (fallback !== undefined) return fallback;
    throw new CliError(`${flag} is required`);
  }
  if (!/^\d+$/.test(value.trim())) throw new CliError(`${flag} must be a non-negative integer, got "${value}"`);
  const n = Number(value);
  if (!Number.isSafeInteger(n)) throw new CliError(`${flag} is too large: ${value}`);
  return n;
}

/**
 * `--count -1` would read as two flags to parseArgs; join it as `--count=-1` so the value check can
 * say what is wrong with the number instead.
 */
function joinNegativeValues(args: string[], options: Options): string[] {
  const out: string[] = [];
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    const name = arg.startsWith('--') ? arg.slice(2) : Object.keys(options).find((k) => options[k]!.short === arg.slice(1));
    const next = args[i + 1];
    if (name && options[name]?.type === 'string' && next !== undefined && /^-\d/.test(next)) {
      out.push(`${arg}=${next}`.replace(/^-(\w)=/, '--' + name + '='));
      i++;
    } else {
      out.push(arg);
    }
  }
  return out;
}
