import { describe, expect, it } from 'vitest';
import { runCli } from '../run-cli.js';

const GENESIS =
  '0100000000000000000000000000000000000000000000000000000000000000000000003ba3edfd7a7b12b27ac72c3e67768f617fc81bc3888a51323a9fb8aa4b1e5e4a29ab5f49ffff001d1dac2b7c';
const GENESIS_HASH = '000000000019d6689c085ae165831e934ff763ae46a2a6c172b3f1b60a8ce26f';

describe('carechain hash', () => {
  it("prints the genesis header's SHA-256d in display order", () => {
    const { status, stdout } = runCli(['hash', GENESIS]);
    expect(status).toBe(0);
    expect(stdout).toBe(`${GENESIS_HASH}\n`);
  });

  it('refuses hex it cannot read, in one line', () => {
    const { status, stderr } = runCli(['hash', 'xyz']);
    expect(status).not.toBe(0);
    expect(stderr.trim().split('\n')).toEqual(['carechain: the data is not hex: "xyz"']);
  });
});
