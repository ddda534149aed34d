import { loadKernel, NONCE_SPACE } from '../../kernel/kernel.js';
import { toDisplayHex } from '../../chain/hash.js';
import { bitsToTarget, targetToBytes } from '../../chain/target.js';
import { parseCommandArgs, parseCount } from '../args.js';
import { CliError } from '../errors.js';
import { hexArgument } from '../hex-input.js';

const USAGE = 'usage: carechain scan --header HEX --start N --count M (--bits HEX | --target HEX) [--json]';

/** The flags `carechain scan` takes (COMMAND_HELP documents each). */
export const options = {
  header: { type: 'string' },
  start: { type: 'string' },
  count: { type: 'string' },
  bits: { type: 'string' },
  target: { type: 'string' },
  json: { type: 'boolean', default: false },
} as const;

/**
 * `carechain scan`: hash a nonce range of one header and report the first nonce whose SHA-256d meets
 * the target. A range that runs past 2^32 - 1 is refused rather than wrapped.
 */
export async function run(args: string[]): Promise<void> {
  const { values } = parseCommandArgs(args, options);
  if (values.header === undefined) throw new CliError(`--header is required (${USAGE})`);
  const header = hexArgument(values.header, '--header', 80);
  const start = parseCount(values.start, '--start', 0);
  const count = parseCount(values.count, '--count');
  if (start >= NONCE_SPACE) throw new CliError(`--start must be below 2^32 (4294967296), got ${start}`);
  if (start + count > NONCE_SPACE) {
    throw new CliError(`--start + --count passes nonce 4294967295 (the range would wrap); scan at most ${NONCE_SPACE - start} nonces from ${start}`);
  }
  const target = parseTarget(values.bits, values.target);
  const result = loadKernel().scanHeader(header, target, start, count);
  const hash = result.found ? toDisplayHex(hashWithNonce(header, result.nonce)) : null;
  if (values.json) {
    const body = result.found
      ? { found: true, nonce: result.nonce, hash, hashed: result.hashed }
      : { found: false, hashed: result.hashed };
    process.stdout.write(`${JSON.stringify(body)}\n`);
    return;
  }
  process.stdout.write(
    result.found
      ? `found nonce ${result.nonce}\nhash ${hash}\nhashed ${result.hashed}\n`
      : `no nonce in ${start}..${start + count - 1} meets the target\nhashed ${result.hashed}\n`,
  );
}

/** The 32-byte little-endian target from compact bits or from a 64-digit big-endian hex number. */
function parseTarget(bits: string | undefined, target: string | undefined): Uint8Array {
  if ((bits === undefined) === (target === undefined)) throw new CliError(`give exactly one of --bits and --target (${USAGE})`);
  if (target !== undefined) return hexArgument(target, '--target (a 256-bit number, big-endian hex)', 32).reverse();
  const compact = bits!.trim().replace(/^0x/i, '');
  if (!/^[0-9a-f]{1,8}$/i.test(compact)) throw new CliError(`--bits must be up to 8 hex digits (e.g. 1d00ffff), got "${bits}"`);
  try {
    return targetToBytes(bitsToTarget(parseInt(compact, 16)));
  } catch (err) {
    throw new CliError(`--bits ${bits} is not a valid compact target: ${(err as Error).message}`);
  }
}

function hashWithNonce(header: Uint8Array, nonce: number): Uint8Array {
  const copy = Uint8Array.from(header);
  new DataView(copy.buffer).setUint32(76, nonce, true);
  return loadKernel().sha256d(copy);
}
