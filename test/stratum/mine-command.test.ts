import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { minerStatusView, miningSummaryView } from '../../src/http/response-schemas.js';
import { keys, removeTempDirs, tempDir } from '../chain/helpers.js';
import { startNodeProcess, waitFor, type NodeProcess } from '../e2e/node-process.js';

/**
 * `carechain mine` as a user runs it, against the Stratum server of `carechain start` processes on
 * the dev network (their own miners off): several miners at once, fail-over when the first server
 * dies, its --http-port, and a clean stop on SIGINT.
 */
const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = fileURLToPath(new URL('../../src/cli/main.ts', import.meta.url));

interface MineProcess {
  child: ChildProcess;
  events: Record<string, any>[];
  output: () => string;
  exited: Promise<number | null>;
}

const children: ChildProcess[] = [];
const nodes: NodeProcess[] = [];

afterAll(async () => {
  for (const c of children) if (c.exitCode === null && c.signalCode === null) c.kill('SIGKILL');
  for (const n of nodes) if (n.child.exitCode === null && n.child.signalCode === null) n.child.kill('SIGKILL');
  await Promise.all(nodes.map((n) => n.exited));
  removeTempDirs();
});

async function node(): Promise<{ node: NodeProcess; stratum: string }> {
  const n = await startNodeProcess(['--network', 'dev', '--no-mine', '--data', tempDir(), '--port', '0', '--stratum-port', '0', '--no-p2p']);
  nodes.push(n);
  return { node: n, stratum: /stratum: listening on (stratum\+tcp:\/\/\S+)/.exec(n.log())![1]! };
}

function mine(args: string[]): MineProcess {
  const child = spawn(process.execPath, ['--import', 'tsx', MAIN, 'mine', '--json', '-t', '1', ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  const events: Record<string, any>[] = [];
  let buffer = '';
  let all = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    all += chunk.toString();
    buffer += chunk.toString();
    let nl: number;
    while ((nl = buffer.indexOf('\n')) >= 0) {
      events.push(JSON.parse(buffer.slice(0, nl)) as Record<string, any>);
      buffer = buffer.slice(nl + 1);
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (all += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  return { child, events, output: () => all, exited };
}

const getJson = async (url: string) => (await fetch(url)).json() as Promise<any>;
const accepted = (m: MineProcess, url?: string) => m.events.filter((e) => e.event === 'share' && e.accepted && (!url || e.url === url)).length;
const until = (what: string, check: () => boolean, m: MineProcess, timeoutMs = 60_000) =>
  waitFor(what, async () => (check() ? true : undefined), timeoutMs, 100).catch((err: Error) => {
    throw new Error(`${err.message}\n--- carechain mine ---\n${m.output().slice(-3000)}`);
  });

describe('carechain mine', () => {
  it('mines through the node\'s Stratum server, several processes at once, each paid to its own key', async () => {
    const { node: n, stratum } = await node();
    const [alice, bob] = [keys().publicKey, keys().publicKey];
    const a = mine(['-o', stratum, '-u', `${alice}.a`, '--http-port', '0']);
    const b = mine(['-o', stratum, '-u', `${bob}.b`]);
    await until('shares from the first miner', () => accepted(a) >= 2, a);
    await until('shares from the second miner', () => accepted(b) >= 2, b);
    const sessions = (await getJson(`${n.url}/stratum`)).sessions as { worker: string; extranonce1: string; sharesAccepted: number }[];
    expect(sessions.map((s) => s.worker).sort()).toEqual([`${alice}.a`, `${bob}.b`].sort());
    expect(new Set(sessions.map((s) => s.extranonce1)).size).toBe(2);
    // Blocks found through Stratum pay the username's key.
    await until('a block for each', () => a.events.some((e) => e.event === 'share' && e.block) && b.events.some((e) => e.event === 'share' && e.block), a);
    await waitFor('balances', async () => {
      const [ba, bb] = await Promise.all([alice, bob].map(async (k) => (await getJson(`${n.url}/accounts/${k}`)).balance as number));
      return ba > 0 && bb > 0 ? true : undefined;
    });

    // Its own /status, /mining and /metrics.
    const http = a.events.find((e) => e.event === 'http')!.url as string;
    const status = minerStatusView.parse(await (await fetch(`${http}/status`)).json());
    expect(status.pool).toMatchObject({ url: stratum, connected: true });
    expect(status.shares.accepted).toBeGreaterThanOrEqual(2);
    const summary = miningSummaryView.parse(await (await fetch(`${http}/mining`)).json());
    expect(summary.threads).toBe(1);
    expect(summary.hashesTotal).toBeGreaterThan(0);
    expect(summary.job).toMatchObject({ height: null });
    const metrics = await (await fetch(`${http}/metrics`)).text();
    expect(metrics).toMatch(/^carechain_miner_shares_total\{result="accepted"\} [1-9]/m);
    expect(metrics).toMatch(/^carechain_miner_pool_connected 1$/m);
    expect(metrics).toMatch(/^carechain_hashes_total\{worker="0"\} [1-9]/m);

    // SIGINT: a clean stop, exit 0, with a last summary.
    a.child.kill('SIGINT');
    expect(await a.exited).toBe(0);
    expect(a.events.at(-1)).toMatchObject({ event: 'stopped', signal: 'SIGINT' });
    b.child.kill('SIGINT');
    expect(await b.exited).toBe(0);
  }, 180_000);

  it('fails over to the next pool when the first one dies', async () => {
    const first = await node();
    const second = await node();
    const payee = keys().publicKey;
    const m = mine(['-o', first.stratum, '-o', second.stratum, '-u', payee]);
    await until('shares at the first pool', () => accepted(m, first.stratum) >= 1, m);
    first.node.child.kill('SIGKILL');
    await until('the switch to the second pool', () => m.events.some((e) => e.event === 'connected' && e.url === second.stratum), m);
    await until('shares at the second pool', () => accepted(m, second.stratum) >= 1, m);
    expect(m.events.some((e) => e.event === 'disconnected' && e.url === first.stratum)).toBe(true);
    const sessions = (await getJson(`${second.node.url}/stratum`)).sessions as unknown[];
    expect(sessions).toHaveLength(1);
    m.child.kill('SIGINT');
    expect(await m.exited).toBe(0);
  }, 180_000);

  it('refuses a bad pool URL or a missing username in one line', async () => {
    for (const [args, message] of [
      [['-u', 'x'], /mine needs a pool/],
      [['-o', 'http://127.0.0.1:1', '-u', 'x'], /not a pool URL/],
      [['-o', 'stratum+tcp://127.0.0.1:3333'], /mine needs a username/],
    ] as const) {
      const m = mine([...args]);
      expect(await m.exited).toBe(2);
      expect(m.output().trim().split('\n')).toHaveLength(1);
      expect(m.output()).toMatch(message);
    }
  });
});
