import { describe, expect, it } from 'vitest';
import * as benchChain from '../../bench/chain.js';
import * as benchConsent from '../../bench/consent.js';
import * as benchHttp from '../../bench/http.js';
import * as benchKernels from '../../bench/kernels.js';
import * as benchStratum from '../../bench/stratum.js';
import * as benchPropagation from '../../bench/propagation.js';
import * as benchSync from '../../bench/sync.js';
import * as benchThreads from '../../bench/threads.js';
import * as headers from '../../src/cli/commands/headers.js';
import * as access from '../../src/cli/commands/access.js';
import * as consent from '../../src/cli/commands/consent.js';
import * as enrol from '../../src/cli/commands/enrol.js';
import * as keygen from '../../src/cli/commands/keygen.js';
import * as mine from '../../src/cli/commands/mine.js';
import * as puzzle from '../../src/cli/commands/puzzle.js';
import * as receipt from '../../src/cli/commands/receipt.js';
import * as record from '../../src/cli/commands/record.js';
import * as scan from '../../src/cli/commands/scan.js';
import * as send from '../../src/cli/commands/send.js';
import * as start from '../../src/cli/commands/start.js';
import * as verify from '../../src/cli/commands/verify.js';
import { COMMAND_HELP } from '../../src/cli/help.js';
import { commands } from '../../src/cli/registry.js';
import { runCli } from './run-cli.js';

type Flags = Record<string, { type: string; short?: string }>;

/** Every flag a command's parser accepts, by command (bench: its benchmarks together). */
const accepted: Record<string, Flags[]> = {
  hash: [],
  scan: [scan.options],
  puzzle: [puzzle.options],
  keygen: [keygen.options],
  send: [send.options],
  record: [record.options],
  enrol: [enrol.options],
  consent: [consent.options],
  access: [access.options],
  receipt: [receipt.options],
  verify: [verify.options],
  headers: [headers.options],
  start: [start.options],
  mine: [mine.options],
  bench: [benchKernels.options, benchThreads.options, benchChain.options, benchHttp.options, benchStratum.options, benchConsent.options, benchSync.options, benchPropagation.options],
};

describe('command help', () => {
  it('exists for every command and starts with its usage line', () => {
    expect(Object.keys(COMMAND_HELP).sort()).toEqual(Object.keys(commands).sort());
    for (const name of Object.keys(commands)) expect(COMMAND_HELP[name]).toMatch(new RegExp(`^usage: carechain ${name}\\b`));
  });

  it.each(Object.entries(accepted))('documents every flag %s accepts, long and short', (name, flagSets) => {
    const help = COMMAND_HELP[name]!;
    for (const flags of flagSets) {
      for (const [flag, spec] of Object.entries(flags)) {
        expect(help, `--${flag}`).toMatch(new RegExp(`--${flag}\\b`));
        if (spec.short) expect(help, `-${spec.short}`).toContain(`-${spec.short}, --${flag}`);
      }
    }
  });

  it('is printed by `CMD --help`, `CMD -h` and `help CMD`, exit 0, without running the command', () => {
    const long = runCli(['scan', '--help']);
    expect(long).toMatchObject({ status: 0, stdout: COMMAND_HELP.scan, stderr: '' });
    expect(runCli(['bench', 'kernels', '-h'])).toMatchObject({ status: 0, stdout: COMMAND_HELP.bench });
    expect(runCli(['help', 'start'])).toMatchObject({ status: 0, stdout: COMMAND_HELP.start });
  });

  it('refuses help for a command that does not exist, in one line', () => {
    const { status, stderr } = runCli(['help', 'dig']);
    expect(status).not.toBe(0);
    expect(stderr.trim().split('\n')).toHaveLength(1);
    expect(stderr).toMatch(/unknown command "dig"/);
  });
});
