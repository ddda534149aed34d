import { parseArgs, type ParseArgsConfig } from 'node:util';
import { CliError } from './errors.js';

type Options = NonNullable<ParseArgsConfig['options']>;

/** node:util parseArgs, strict, with its errors turned into one-line CLI errors. */
export function parseCommandArgs<O extends Options>(args: string[], options: O, allowPositionals = false) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals });
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
