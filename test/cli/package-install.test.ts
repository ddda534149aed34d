import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const work = mkdtempSync(join(tmpdir(), 'carechain-package-'));
afterAll(() => rmSync(work, { recursive: true, force: true }));

/** Run a command to its end (bounded), its output captured. */
function exec(command: string, args: string[], cwd: string, timeoutMs = 180_000) {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8', timeout: timeoutMs });
  const said = `${command} ${args.join(' ')} (status ${result.status}):\n${result.stdout}\n${result.stderr}`;
  return { status: result.status, stdout: result.stdout, stderr: result.stderr, said };
}

/** Signal the process group a detached child leads (its id is the child's pid), if it is still there. */
function signalGroup(pid: number, signal: NodeJS.Signals): void {
  try {
    process.kill(-pid, signal);
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ESRCH') throw err;
  }
}

/** Whether the registry npm installs from answers at all (any HTTP answer) within a few seconds. */
async function registryAnswers(): Promise<string | null> {
  const registry = exec('npm', ['config', 'get', 'registry'], ROOT).stdout.trim() || 'https://registry.npmjs.org/';
  try {
    await fetch(registry, { method: 'HEAD', signal: AbortSignal.timeout(5000) });
    return null;
  } catch {
    return `offline: the npm registry (${registry}) does not answer, and installing the package needs it`;
  }
}

// The package as a user gets it: packed (the prepack/prepare build included), installed with
// production dependencies only in an empty folder, run with npx. Slow (a build and an install).
describe('the packed package, installed with production dependencies only', () => {
  it('runs `carechain bench kernels` without the devDependencies and serves /health from `carechain start`', async (ctx) => {
    const offline = await registryAnswers();
    if (offline) ctx.skip(offline);

    const packDir = join(work, 'pack');
    mkdirSync(packDir);
    const packed = exec('npm', ['pack', '--pack-destination', packDir], ROOT);
    expect(packed.status, packed.said).toBe(0);
    const [tarball] = readdirSync(packDir).filter((f) => f.endsWith('.tgz'));
    expect(tarball, packed.said).toBeDefined();
    const listing = exec('tar', ['-tzf', join(packDir, tarball!)], packDir).stdout.split('\n');
    expect(listing).toEqual(expect.arrayContaining(['package/build/kernel-simd.wasm', 'package/build/kernel-scalar.wasm', 'package/dist/src/cli/main.js']));
    expect(listing.filter((f) => f.startsWith('package/test/') || f.endsWith('.map'))).toEqual([]);

    const app = join(work, 'app');
    mkdirSync(app);
    const installed = exec('npm', ['install', '--omit=dev', '--no-audit', '--no-fund', join(packDir, tarball!)], app);
    expect(installed.status, installed.said).toBe(0);
    for (const devOnly of ['hash-wasm', 'autocannon', 'assemblyscript', 'vitest', 'tsx']) {
      expect(existsSync(join(app, 'node_modules', devOnly)), devOnly).toBe(false);
    }
    // The pinned runtime comes with the package: npx runs the install's own node.
    const runtime = exec('npx', ['--no-install', 'node', '-p', 'process.versions.node'], app);
    expect(Number(runtime.stdout.split('.')[0]), runtime.said).toBeGreaterThanOrEqual(22);

    const bench = exec('npx', ['--no-install', 'carechain', 'bench', 'kernels', '--seconds', '0.2', '--windows', '1'], app);
    expect(bench.status, bench.said).toBe(0);
    expect(bench.stdout).toMatch(/^wasm-simd\s+\d+\.\d\d/m);
    expect(bench.stdout).toMatch(/^js-midstate\s+\d+\.\d\d/m);
    expect(bench.stdout).not.toMatch(/^hash-wasm/m);
    expect(bench.stderr).toMatch(/hash-wasm skipped: not installed/);
    const http = exec('npx', ['--no-install', 'carechain', 'bench', 'http', '--url', 'http://127.0.0.1:9'], app);
    expect(http.status, http.said).not.toBe(0);
    expect(http.stderr.trim().split('\n'), http.said).toEqual([expect.stringMatching(/^carechain: bench http needs autocannon/)]);

    // npx runs the command through a shell: the node gets its own process group, stopped by its id.
    const node = spawn('npx', ['--no-install', 'carechain', 'start', '--no-mine', '--port', '0', '--stratum-port', '0', '--p2p-port', '0', '--data', join(work, 'data')], {
      cwd: app,
      detached: true,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => node.once('exit', resolve));
    try {
      let log = '';
      const url = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`carechain start did not listen within 30 s:\n${log}`)), 30_000);
        const read = (chunk: Buffer) => {
          log += chunk.toString();
          const match = /http: listening on (http:\/\/\S+)/.exec(log);
          if (match) {
            clearTimeout(timer);
            resolve(match[1]!);
          }
        };
        node.stdout.on('data', read);
        node.stderr.on('data', read);
        void exited.then((code) => reject(new Error(`carechain start exited (${code}) before listening:\n${log}`)));
      });
      const health = await fetch(`${url}/health`, { signal: AbortSignal.timeout(5000) });
      expect(health.status).toBe(200);
      expect(await health.json()).toEqual({ status: 'ok' });
    } finally {
      signalGroup(node.pid!, 'SIGTERM');
      const stopped = await Promise.race([exited.then(() => true), new Promise<boolean>((r) => setTimeout(() => r(false), 10_000))]);
      if (!stopped) signalGroup(node.pid!, 'SIGKILL');
    }
  }, 300_000);
});
