/**
 * `carechain puzzle [--prefix blockchain] [--zeros 6] [-t N] [--json]`: the seed's proof-of-work
 * example on every core. Prints the lowest nonce n whose SHA-256(prefix ‖ decimal n) starts with
 * `zeros` zero hex digits (what the seed's one-by-one loop finds), its hash, and the time taken.
 */
import { availableParallelism } from 'node:os';
import { performance } from 'node:perf_hooks';
import { MinerPool } from '../../miner/pool.js';
import { parseCommandArgs, parseCount } from '../args.js';
import { CliError } from '../errors.js';

/** The flags `carechain puzzle` takes (COMMAND_HELP documents each). */
export const options = {
  prefix: { type: 'string', default: 'blockchain' },
  zeros: { type: 'string' },
  threads: { type: 'string', short: 't' },
  json: { type: 'boolean', default: false },
} as const;

export async function run(args: string[]): Promise<number> {
  const { values } = parseCommandArgs(args, options);
  const prefix = values.prefix ?? 'blockchain';
  const zeros = parseCount(values.zeros, '--zeros', 6);
  if (zeros < 1 || zeros > 64) throw new CliError(`--zeros must be from 1 to 64, got ${zeros}`);
  const threads = parseCount(values.threads, '--threads', availableParallelism());
  if (threads < 1 || threads > 256) throw new CliError(`--threads must be from 1 to 256, got ${threads}`);

  const began = performance.now();
  const pool = new MinerPool({ threads });
  let interrupted = false;
  const stop = () => {
    interrupted = true;
    void pool.close();
  };
  process.once('SIGINT', stop).once('SIGTERM', stop);
  try {
    const { solution, started } = await pool
      .start()
      .then(async () => {
        const started = performance.now();
        return { solution: await pool.solvePuzzle(prefix, zeros), started };
      })
      .catch((err: Error) => {
        throw interrupted ? new CliError('interrupted', 130) : new CliError(err.message, 1);
      });
    const seconds = (performance.now() - started) / 1000;
    const hashes = pool.totalHashes();
    const report = {
      prefix,
      zeros,
      nonce: solution?.nonce ?? null,
      hash: solution?.hash ?? null,
      threads,
      seconds: round(seconds, 4),
      startSeconds: round((started - began) / 1000, 4),
      hashes,
      hashesPerSecond: Math.round(hashes / seconds),
    };
    if (values.json) process.stdout.write(`${JSON.stringify(report)}\n`);
    else process.stdout.write(describe(report));
    return solution ? 0 : 1;
  } finally {
    process.off('SIGINT', stop).off('SIGTERM', stop);
    await pool.close();
  }
}

function describe(r: { prefix: string; zeros: number; nonce: number | null; hash: string | null; threads: number; seconds: number; startSeconds: number; hashes: number; hashesPerSecond: number }): string {
  const head = r.nonce === null
    ? `no nonce below 2^32 gives SHA-256("${r.prefix}" + nonce) ${r.zeros} leading zeros\n`
    : `nonce ${r.nonce}\nhash  ${r.hash}\n`;
  return (
    head +
    `time  ${r.seconds.toFixed(3)} s on ${r.threads} thread${r.threads === 1 ? '' : 's'} ` +
    `(${(r.hashes / 1e6).toFixed(1)} M hashes, ${(r.hashesPerSecond / 1e6).toFixed(1)} MH/s; workers started in ${r.startSeconds.toFixed(3)} s)\n`
  );
}

function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f) / f;
}
