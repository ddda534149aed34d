import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { removeTempDirs, tempDir } from '../chain/helpers.js';
import { closeAll, getFresh, openSocket, parseAnswer, until, type RawSocket } from '../http/raw-sockets.js';

/**
 * `carechain start` under a low open-file limit (`ulimit -n 512`, set by a shell before exec, as an
 * operator's would be), flooded with idle sockets: before connection caps, about 500 idle sockets
 * exhausted its descriptors and /health stopped answering.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

let child: ChildProcess | undefined;
const sockets: RawSocket[] = [];
afterEach(() => {
  closeAll(sockets.splice(0));
  if (child && child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  child = undefined;
});
afterAll(removeTempDirs);

async function startLimitedNode(openFiles: number, flags: string[]): Promise<{ port: number; log: () => string }> {
  const args = [process.execPath, '--import', 'tsx', MAIN, 'start', '--data', tempDir(), '--port', '0', '--network', 'test', '--no-mine', '--no-stratum', '--no-p2p', ...flags];
  child = spawn('sh', ['-c', `ulimit -n ${openFiles} && exec "$@"`, 'sh', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (c) => (output += c));
  child.stderr!.on('data', (c) => (output += c));
  let port = 0;
  await until('the node to listen', () => {
    if (child!.exitCode !== null) throw new Error(`the node exited:\n${output}`);
    port = Number(/http: listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1] ?? 0);
    return port > 0;
  }, 40_000);
  return { port, log: () => output };
}

async function flood(port: number, count: number, address: (i: number) => string): Promise<RawSocket[]> {
  const opened: RawSocket[] = [];
  for (let i = 0; i < count; i++) {
    const s = await openSocket(port, address(i)).catch(() => undefined); // a refused connect is the node's right
    if (s) opened.push(s);
  }
  sockets.push(...opened);
  return opened;
}

describe('a node under a low open-file limit, flooded with idle sockets', () => {
  it('from one client: /health still answers, and the log says what the limit allows', async () => {
    const node = await startLimitedNode(512, []);
    expect(node.log()).toMatch(/open-file limit is 512: at most 384 connections instead of 1024/);
    const idle = await flood(node.port, 600, () => '127.0.0.1');
    for (let i = 0; i < 5; i++) expect((await getFresh(node.port, '/health', undefined, 3000)).status).toBe(200);
    // Within a grace period of a second, the client is back under its cap of 64.
    await until('the per-client cap to shed the rest', () => idle.filter((s) => !s.isClosed()).length <= 64, 5000);
    expect(idle[0]!.isClosed()).toBe(true);
  });

  it('from many addresses: the total cap sheds the oldest, /health and /metrics answer', async () => {
    const node = await startLimitedNode(512, ['--max-connections-per-client', '32']);
    const idle = await flood(node.port, 600, (i) => `127.0.1.${1 + (i % 30)}`);
    for (let i = 0; i < 3; i++) {
      expect((await getFresh(node.port, '/health', undefined, 3000)).status).toBe(200);
      expect((await getFresh(node.port, '/metrics', undefined, 3000)).status).toBe(200);
    }
    expect(idle.filter((s) => !s.isClosed()).length).toBeLessThanOrEqual(384);
    expect(node.log()).toMatch(/connection cap reached \(384 in all, 32 per client address\)/);
  });

  it('takes the header and request timeouts from its flags', async () => {
    const node = await startLimitedNode(512, ['--headers-timeout', '0.3', '--request-timeout', '0.6']);
    const half = await openSocket(node.port, undefined, 'GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nX-Slow: ');
    sockets.push(half);
    await until('the stalled socket to be closed', () => half.isClosed(), 5000);
    expect(parseAnswer(half.received()).status).toBe(408);
  });
});
