import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';

const GENESIS =
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c';
const GENESIS_HASH = '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f';

describe('carechain scan', () => {
  it('finds the genesis nonce with --json', () => {
    const { status, stdout } = runCli(['scan', '--header', GENESIS, '--start', '2083200000', '--count', '100000', '--bits', '1d00ffff', '--json']);
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ found: true, nonce: 2083236893, hash: GENESIS_HASH, hashed: 36894 });
  });

  it('reports a range with no solution, with --target as a big-endian number', () => {
    const { status, stdout } = runCli(['scan', '--header', GENESIS, '--count', '1000', '--target', `00000000ffff${'0'.repeat(52)}`, '--json']);
    expect(status).toBe(0);
    expect(JSON.parse(stdout)).toEqual({ found: false, hashed: 1000 });
  });

  it.each([
    [['--header', 'abcd', '--count', '1', '--bits', '1d00ffff'], /--header must be 80 bytes/],
    [['--header', GENESIS, '--count', '-5', '--bits', '1d00ffff'], /--count must be a non-negative integer/],
    [['--header', GENESIS, '--count', '1', '--bits', 'nothex'], /--bits must be up to 8 hex digits/],
    [['--header', GENESIS, '--count', '1', '--target', 'ff'], /--target .* must be 32 bytes/],
    [['--header', GENESIS, '--count', '1'], /exactly one of --bits and --target/],
    [['--header', GENESIS, '--start', '4294967295', '--count', '2', '--bits', '1d00ffff'], /would wrap/],
  ])('refuses %j with one clear line', (args, message) => {
    const { status, stderr } = runCli(['scan', ...args]);
    expect(status).toBe(2);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(message);
  });
});
