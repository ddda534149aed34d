import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { keys, removeTempDirs, tempDir } from '../chain/helpers.js';
import { startNodeProcess, waitFor, type NodeProcess } from '../e2e/node-process.js';
import { buildCpuminer, cpuminerUnavailable } from './cpuminer-build.js';

/**
 * The real client: pooler's cpuminer, built from ../shared/tools, mining through the Stratum server
 * of a `carechain start` process on the dev network (its own miner off, so every block is the
 * client's). Its shares must be accepted, and its blocks stored with source "stratum", paid to the
 * key it authorized with.
 */
const unavailable = cpuminerUnavailable();
// CI installs the build tools (.ci/run), so there a missing piece is a failure, not a skip.
const skip = unavailable !== null && !process.env.CI;
if (skip) console.warn(`cpuminer test skipped: ${unavailable}`);

describe.skipIf(skip)('pooler cpuminer against the node', () => {
  let node: NodeProcess;
  let minerd: ChildProcess | undefined;
  let minerLog = '';
  const payee = keys().publicKey;

  beforeAll(async () => {
    if (unavailable) throw new Error(`cannot build pooler's cpuminer: ${unavailable}`);
    const binary = buildCpuminer();
    node = await startNodeProcess(['--network', 'dev', '--no-mine', '--data', tempDir(), '--port', '0', '--stratum-port', '0', '--no-p2p']);
    const stratum = /stratum: listening on (stratum\+tcp:\/\/\S+)/.exec(node.log())![1]!;
    minerd = spawn(binary, ['-a', 'sha256d', '-o', stratum, '-u', `${payee}.cpuminer`, '-p', 'x', '-t', '1'], { stdio: ['ignore', 'pipe', 'pipe'] });
    minerd.stdout!.on('data', (c: Buffer) => (minerLog += c.toString()));
    minerd.stderr!.on('data', (c: Buffer) => (minerLog += c.toString()));
  }, 600_000);

  afterAll(async () => {
    if (minerd && minerd.exitCode === null) minerd.kill('SIGKILL');
    if (node && node.child.exitCode === null) {
      node.child.kill('SIGTERM');
      await node.exited;
    }
    removeTempDirs();
  });

  const getJson = async (path: string) => (await fetch(node.url + path)).json() as Promise<any>;
  const metric = async (name: string, labels: string) => {
    const line = (await (await fetch(node.url + '/metrics')).text()).split('\n').find((l) => l.startsWith(`${name}{${labels}}`));
    return line ? Number(line.split(' ').pop()) : 0;
  };

  it('gets its shares accepted and its blocks stored, source stratum, paid to its username\'s key', async () => {
    const accepted = () => [...minerLog.matchAll(/accepted: (\d+)\/(\d+)/g)].map((m) => Number(m[1]));
    await waitFor('cpuminer\'s accepted shares', async () => ((accepted().at(-1) ?? 0) >= 3 ? true : undefined), 60_000, 200).catch((err: Error) => {
      throw new Error(`${err.message}\n--- minerd ---\n${minerLog.slice(-3000)}\n--- node ---\n${node.log().slice(-3000)}`);
    });
    expect(minerLog).toMatch(/\(yay!!!\)/);
    const blocks = await waitFor('a block from cpuminer', async () => ((await metric('carechain_blocks_accepted_total', 'source="stratum"')) >= 1 ? true : undefined), 60_000);
    expect(blocks).toBe(true);
    expect((await getJson(`/accounts/${payee}`)).balance).toBeGreaterThan(0);
    const tip = await getJson('/status');
    const block = await getJson(`/blocks/${tip.height}`);
    const coinbase = await getJson(`/txs/${block.txids[0]}`);
    expect(coinbase.tx).toMatchObject({ kind: 'coinbase', recipient: payee });
    const stratum = await getJson('/stratum');
    expect(stratum.sessions).toEqual([expect.objectContaining({ worker: `${payee}.cpuminer`, address: '127.0.0.1' })]);
    expect(stratum.sessions[0].sharesAccepted).toBeGreaterThanOrEqual(3);
    expect(await metric('carechain_stratum_shares_total', 'result="accepted"')).toBeGreaterThanOrEqual(3);
    expect(await metric('carechain_blocks_accepted_total', 'source="miner"')).toBe(0);
    // Only the network can make a share go wrong here (a share found on a job its own block just made stale);
    // a byte-order mistake would show up as low-difficulty or invalid shares.
    for (const result of ['low-difficulty', 'invalid', 'duplicate', 'unauthorized']) {
      expect(await metric('carechain_stratum_shares_total', `result="${result}"`), result).toBe(0);
    }
  }, 180_000);
});
