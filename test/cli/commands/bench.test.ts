import { afterEach, describe, expect, it, vi } from 'vitest';
import { run as bench } from '../../../src/cli/commands/bench.js';
import { CliError } from '../../../src/cli/errors.js';

afterEach(() => vi.restoreAllMocks());

describe('carechain bench', () => {
  it('names the benchmarks when given none or an unknown one', async () => {
    await expect(bench([])).rejects.toThrow(new CliError('bench needs one of: kernels, threads, chain, http, stratum, consent, sync, propagation, all'));
    await expect(bench(['disk'])).rejects.toThrow(CliError);
  });

  it('bench all checks every benchmark flag before the first benchmark runs', async () => {
    const written = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    const said = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    // --seconds suits kernels and threads; chain has no such flag, so nothing may start.
    await expect(bench(['all', '--seconds', '0.01'])).rejects.toThrow(CliError);
    await expect(bench(['all', '--blocks', '-1'])).rejects.toThrow(CliError);
    // threads refuses its own value, after kernels accepted it: still before anything ran.
    await expect(bench(['all', '--seconds', '4000'])).rejects.toThrow(new CliError('--seconds must be a number of seconds up to 3600, got "4000"'));
    expect(written).not.toHaveBeenCalled();
    expect(said).not.toHaveBeenCalled();
  });

  it('bench propagation names the relay peers it knows when given another', async () => {
    const written = vi.spyOn(process.stdout, 'write').mockImplementation(() => true);
    await expect(bench(['propagation', '--relay-peer', 'pool'])).rejects.toThrow(new CliError('--relay-peer must be gossip, node or both, got "pool"'));
    expect(written).not.toHaveBeenCalled();
  });
});
