import { afterEach, describe, expect, it, vi } from 'vitest';
import { run as bench } from '../../src/cli/commands/bench.js';
import { CliError } from '../../src/cli/errors.js';

afterEach(() => vi.restoreAllMocks());

async function capture(args: string[]): Promise<{ stdout: string; stderr: string }> {
  const out = { stdout: '', stderr: '' };
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => ((out.stdout += String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => ((out.stderr += String(chunk)), true));
  await bench(args);
  return out;
}

// A smoke test only (the shortest windows): never a measurement.
describe('bench/kernels.ts', () => {
  it('runs the contenders asked for and reports one JSON object with --json', async () => {
    const { stdout } = await capture(['kernels', '--only', 'wasm-scalar,js-midstate', '--seconds', '0.05', '--windows', '2', '--json']);
    const report = JSON.parse(stdout) as { results: { name: string; hashesPerSecond: number; windows: number[] }[]; skipped: unknown[] };
    expect(report.results.map((r) => r.name)).toEqual(['wasm-scalar', 'js-midstate']);
    for (const r of report.results) {
      expect(r.windows).toHaveLength(2);
      expect(r.hashesPerSecond).toBeGreaterThan(0);
    }
    // hash-wasm is installed here (a devDependency), so nothing asked for was skipped.
    expect(report.skipped).toEqual([]);
  });

  it('refuses bad flags as usage errors', async () => {
    await expect(capture(['kernels', '--windows', '0'])).rejects.toThrow(new CliError('--windows must be a positive integer, got "0"'));
    await expect(capture(['kernels', '--seconds', 'x'])).rejects.toThrow(new CliError('--seconds must be a positive number, got "x"'));
    await expect(capture(['kernels', '--only', 'nothing', '--seconds', '0.01', '--windows', '1'])).rejects.toThrow(/--only names no contender/);
  });
});
