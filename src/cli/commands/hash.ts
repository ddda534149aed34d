import { loadKernel } from '../../kernel/kernel.js';
import { toDisplayHex } from '../../chain/hash.js';
import { parseCommandArgs } from '../args.js';
import { CliError } from '../errors.js';
import { hexArgument } from '../hex-input.js';

/** `carechain hash HEX`: SHA-256d of the bytes, in display (byte-reversed) order, as explorers show it. */
export async function run(args: string[]): Promise<void> {
  const { positionals } = parseCommandArgs(args, {}, true);
  if (positionals.length !== 1) throw new CliError('usage: carechain hash HEX');
  const bytes = hexArgument(positionals[0], 'the data');
  process.stdout.write(`${toDisplayHex(loadKernel().sha256d(bytes))}\n`);
}
