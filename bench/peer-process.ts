// `carechain start` processes for the network benchmarks: each one a process of its own (as nodes
// are in use), from this build (dist, or the sources under tsx), on the test network.
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { pinnedCommand } from './cpu-pinning.js';

export interface PeerProcess {
  url: string;
  /** The multiaddr other nodes pass to --peer. */
  p2pAddr: string;
  log(): string;
  get<T = any>(path: string): Promise<T>;
  stop(): Promise<void>;
}

export interface PeerProcessOptions {
  /** How long it may take to listen (default 60 s; a node replays its whole log first). */
  timeoutMs?: number;
  /** A taskset CPU list the node runs on (bench/cpu-pinning.ts); every core when left out. */
  cpus?: string;
}

export async function startPeerProcess(args: string[], { timeoutMs = 60_000, cpus }: PeerProcessOptions = {}): Promise<PeerProcess> {
  const main = fileURLToPath(new URL('../src/cli/main.js', import.meta.url)).replace(/\.js$/, import.meta.url.endsWith('.ts') ? '.ts' : '.js');
  const loader = main.endsWith('.ts') ? ['--import', 'tsx'] : [];
  const [command, commandArgs] = pinnedCommand(cpus, process.execPath, [...loader, main, 'start', '--network', 'test', '--port', '0', '--p2p-port', '0', '--stratum-port', '0', '--rate-limit', '0', ...args]);
  const child = spawn(command, commandArgs, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  const { url, p2pAddr } = await new Promise<{ url: string; p2pAddr: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`a bench node did not start:\n${output}`));
    }, timeoutMs);
    const read = (chunk: Buffer) => {
      output += chunk.toString();
      const http = /http: listening on (http:\/\/\S+)/.exec(output)?.[1];
      const p2p = /p2p: listening on (\S+?)(,|\s|$)/.exec(output)?.[1];
      if (http && p2p) {
        clearTimeout(timer);
        resolve({ url: http, p2pAddr: p2p });
      }
    };
    child.stdout!.on('data', read);
    child.stderr!.on('data', read);
    void exited.then(() => {
      clearTimeout(timer);
      reject(new Error(`a bench node exited before listening:\n${output}`));
    });
  });
  return {
    url,
    p2pAddr,
    log: () => output,
    async get(path) {
      const res = await fetch(url + path);
      if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
      return (await res.json()) as never;
    },
    async stop() {
      if (child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

/** Poll until `check` answers (bounded by `timeoutMs`). */
export async function until<T>(what: string, check: () => Promise<T | undefined>, timeoutMs: number, everyMs = 100): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const value = await check().catch(() => undefined);
    if (value !== undefined) return value;
    if (performance.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, everyMs));
  }
}
