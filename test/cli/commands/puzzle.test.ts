import { afterEach, describe, expect, it, vi } from 'vitest';
import { run } from '../../../src/cli/commands/puzzle.js';
import { CliError } from '../../../src/cli/errors.js';

afterEach(() => vi.restoreAllMocks());

function captureStdout(): string[] {
  const out: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    out.push(String(chunk));
    return true;
  });
  return out;
}

describe('carechain puzzle', () => {
  it("finds the seed's answer for the defaults, the lowest nonce, on every core", async () => {
    const out = captureStdout();
    expect(await run(['--json'])).toBe(0);
    const report = JSON.parse(out.join(''));
    expect(report).toMatchObject({
      prefix: 'blockchain',
      zeros: 6,
      nonce: 10730895,
      hash: '000000ca1415e0bec568f6f605fcc83d18cac7a4e6c219a957c10c6879d67587',
    });
    expect(report.seconds).toBeGreaterThan(0);
    expect(report.hashes).toBeGreaterThanOrEqual(10730896);
  });

  it('prints nonce, hash and time for people', async () => {
    const out = captureStdout();
    expect(await run(['--prefix', 'carechain', '--zeros', '3', '-t', '1'])).toBe(0);
    expect(out.join('')).toMatch(/^nonce \d+\nhash  000[0-9a-f]{61}\ntime  [\d.]+ s on 1 thread /);
  });

  it('refuses bad flags with a one-line error', async () => {
    await expect(run(['--zeros', '0'])).rejects.toThrow(CliError);
    await expect(run(['-t', 'two'])).rejects.toThrow(/--threads/);
    await expect(run(['--bogus'])).rejects.toThrow(CliError);
  });
});
