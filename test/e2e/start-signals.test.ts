import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../chain/helpers.js';

// A supervisor may stop a node at any moment, starting up included: the stop must be clean, never a kill.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));
let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  removeTempDirs();
});

describe('carechain start and signals', () => {
  it('stops cleanly on a SIGTERM that arrives while it is still starting', async () => {
    child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'start', '--network', 'test', '--data', tempDir(), '--port', '0', '--no-mine', '--no-stratum', '--no-p2p'], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let log = '';
    let signalled = false;
    const onData = (chunk: Buffer) => {
      log += chunk.toString();
      // The first line is the chain opening: the API is not up yet.
      if (!signalled && /chain: test network/.test(log)) {
        signalled = true;
        child!.kill('SIGTERM');
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    const { code, signal } = await new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child!.once('exit', (c, s) => resolve({ code: c, signal: s })));
    expect(signalled).toBe(true);
    expect({ code, signal }).toEqual({ code: 0, signal: null });
    expect(log).toMatch(/SIGTERM: stopping/);
    expect(log).toMatch(/stopped cleanly/);
  });
});
