import { spawn, type ChildProcess } from 'node:child_process';
import { closeSync, openSync } from 'node:fs';
import { createServer } from 'node:net';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../chain/helpers.js';
import { waitFor } from './node-process.js';

/**
 * A node whose log cannot be written keeps running: stderr on /dev/full (ENOSPC on every write, as
 * on a full disk) or a pipe whose reader has gone (EPIPE). Real processes, mining on the test
 * network, so they keep logging a line per block the whole time.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

let child: ChildProcess | undefined;
afterEach(() => {
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
});
afterAll(removeTempDirs);

function startNode(port: number, stderr: 'pipe' | number) {
  const args = ['--import', 'tsx', MAIN, 'start', '--data', tempDir(), '--port', String(port), '--stratum-port', '0', '--no-p2p', '--network', 'test', '-t', '1'];
  child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'ignore', stderr] });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child!.once('exit', (code, signal) => resolve({ code, signal })));
  return { child, exited };
}

async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise((resolve) => probe.close(resolve));
  return port;
}

/** The node answers /health, and mines two more blocks (two more log lines) while its log is failing. */
async function keepsWorking(port: number, exited: Promise<unknown>): Promise<void> {
  const url = `http://127.0.0.1:${port}`;
  let gone = false;
  void exited.then(() => (gone = true));
  const alive = async <T>(what: string, check: () => Promise<T | undefined>) =>
    waitFor(what, async () => {
      if (gone) throw new Error(`the node exited (code ${child?.exitCode})`);
      return check();
    }, 40_000);
  const height = async () => ((await (await fetch(`${url}/status`)).json()) as { height: number }).height;
  await alive('/health', async () => ((await fetch(`${url}/health`)).status === 200 ? true : undefined));
  const start = await height();
  await alive('two more blocks', async () => ((await height()) >= start + 2 ? true : undefined));
  expect((await fetch(`${url}/health`)).status).toBe(200);
}

describe('the node with a log it cannot write', () => {
  it('stderr on a full device (ENOSPC): keeps serving and mining, exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const full = openSync('/dev/full', 'w');
    const node = startNode(port, full);
    closeSync(full);
    await keepsWorking(port, node.exited);
    node.child.kill('SIGTERM');
    expect(await node.exited).toEqual({ code: 0, signal: null });
  });

  it('stderr a pipe whose reader closed it (EPIPE): keeps serving and mining, exits 0 on SIGTERM', async () => {
    const port = await freePort();
    const node = startNode(port, 'pipe');
    let log = '';
    node.child.stderr!.on('data', (chunk) => (log += chunk));
    await waitFor('the node to listen', async () => (/http: listening on/.test(log) ? true : undefined), 40_000, 50).catch((err) => {
      throw new Error(`${(err as Error).message}\n${log}`);
    });
    node.child.stderr!.destroy(); // from now on every write the node makes to stderr fails with EPIPE
    await keepsWorking(port, node.exited);
    node.child.kill('SIGTERM');
    expect(await node.exited).toEqual({ code: 0, signal: null });
  });
});
