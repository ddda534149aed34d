import { afterEach, describe, expect, it } from 'vitest';
import { bitsToTarget, difficulty } from '../../src/chain/target.js';
import { targetForDifficulty } from '../../src/stratum/protocol.js';
import { keys, removeTempDirs } from '../chain/helpers.js';
import { until } from '../node/fakes.js';
import { grind, meetsTarget, notifyParams, type NotifyParams } from './cpuminer-style.js';
import { counterValue, startStratumNode, type StratumNode } from './harness.js';
import { RawClient } from './raw-client.js';
import type { StratumServerOptions } from '../../src/stratum/server.js';

/** Every way a miner can get it wrong, driven from a raw socket: each is answered or dropped, and the node carries on. */
let node: StratumNode | undefined;
const clients: RawClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await node?.close();
  node = undefined;
  removeTempDirs();
});

async function open(localAddress?: string): Promise<RawClient> {
  const client = await RawClient.open(node!.server.port, localAddress ? { localAddress } : {});
  clients.push(client);
  return client;
}

const user = keys().publicKey;

/** A subscribed, authorized session at 1/64 of the network difficulty, and one good share for its job. */
async function miner(options: Partial<StratumServerOptions> = {}, localAddress?: string) {
  node ??= await startStratumNode(options);
  const client = await open(localAddress);
  const extranonce1 = ((await client.request('mining.subscribe', ['test'])).result as unknown[])[1] as string;
  await client.request('mining.authorize', [user, `d=${node.chain.tip().difficulty / 64}`]);
  await client.waitFor((m) => m.method === 'mining.notify');
  const job = notifyParams(client.lastNotify()!);
  const share = shareFor(job, extranonce1, client.lastDifficulty()!);
  return { client, extranonce1, job, share };
}

function shareFor(job: NotifyParams, extranonce1: string, difficulty: number, extranonce2 = '00000000', start = 0) {
  const network = bitsToTarget(parseInt(job.nbits, 16));
  return grind(job, extranonce1, extranonce2, (h) => meetsTarget(h, targetForDifficulty(difficulty)) && !meetsTarget(h, network), start);
}

const errorOf = async (client: RawClient, method: string, params: unknown[]) => (await client.request(method, params)).error as [number, string, null];

describe('Stratum server error paths', () => {
  it('skips lines that are not JSON-RPC and answers the next good one', async () => {
    node = await startStratumNode();
    const client = await open();
    client.write('this is not json\n{"id": 1, "method": 5}\n[1,2,3]\n\r\n{"id":{},"method":"mining.ping"}\n');
    expect(await client.request('mining.ping', [])).toMatchObject({ result: 'pong', error: null });
    expect(node.server.sessionCount).toBe(1);
  });

  it('answers an unknown method with error 20, and extranonce.subscribe with a clear not-supported', async () => {
    node = await startStratumNode();
    const client = await open();
    expect(await errorOf(client, 'mining.get_transactions', [])).toEqual([20, 'unknown method mining.get_transactions', null]);
    expect((await errorOf(client, 'mining.extranonce.subscribe', []))[1]).toMatch(/not supported/);
  });

  it('refuses shares before subscribe (25) and before authorize or from another worker (24)', async () => {
    node = await startStratumNode();
    const client = await open();
    const submit = [user, '1', '00000000', '00000000', '00000000'];
    expect(await errorOf(client, 'mining.submit', submit)).toEqual([25, 'not subscribed', null]);
    await client.request('mining.subscribe', []);
    expect(await errorOf(client, 'mining.submit', submit)).toEqual([24, 'unauthorized worker', null]);
    await client.request('mining.authorize', [user, 'x']);
    expect((await errorOf(client, 'mining.submit', ['someone.else', ...submit.slice(1)]))[0]).toBe(24);
    expect(await counterValue(node.registry, 'carechain_stratum_shares_total', { result: 'unauthorized' })).toBe(3);
  });

  it('checks the parameters first: count, strings, hex of the right shape (20)', async () => {
    const { client, job } = await miner();
    for (const params of [
      [user, job.jobId, '00000000', '00000000'],
      [user, job.jobId, '00000000', '00000000', '00000000', '00000000', 'extra'],
      [user, job.jobId, 'zz000000', '00000000', '00000000'],
      [user, job.jobId, '00000000', '0000000', '00000000'],
      [user, job.jobId, '00000000', '00000000', 12345],
      [user, 7, '00000000', '00000000', '00000000'],
    ]) {
      const [code, message] = await errorOf(client, 'mining.submit', params);
      expect(code, JSON.stringify(params)).toBe(20);
      expect(message).toMatch(/^submit takes/);
    }
  });

  it('refuses an extranonce2 of the wrong length (20)', async () => {
    const { client, share } = await miner();
    const [jobId, , ntime, nonce] = share.submit;
    expect(await errorOf(client, 'mining.submit', [user, jobId, '000000', ntime, nonce])).toEqual([20, 'incorrect size of extranonce2: 4 bytes', null]);
    expect((await errorOf(client, 'mining.submit', [user, jobId, '0000000000', ntime, nonce]))[0]).toBe(20);
  });

  it('refuses a job it does not know (21)', async () => {
    const { client, share } = await miner();
    const [, extranonce2, ntime, nonce] = share.submit;
    expect(await errorOf(client, 'mining.submit', [user, 'ffffff', extranonce2, ntime, nonce])).toEqual([21, 'job not found', null]);
    expect(await counterValue(node!.registry, 'carechain_stratum_shares_total', { result: 'stale' })).toBe(1);
  });

  it('refuses ntime before the job\'s or more than 7000 s after it (20)', async () => {
    const { client, job, share } = await miner();
    const [jobId, extranonce2, , nonce] = share.submit;
    const jobTime = parseInt(job.ntime, 16);
    const hex = (t: number) => Buffer.from(new Uint32Array([t]).buffer).toString('hex').match(/../g)!.reverse().join('');
    expect(await errorOf(client, 'mining.submit', [user, jobId, extranonce2, hex(jobTime - 1), nonce])).toEqual([20, 'ntime out of range', null]);
    expect((await errorOf(client, 'mining.submit', [user, jobId, extranonce2, hex(jobTime + 7001), nonce]))[0]).toBe(20);
  });

  it('refuses the same share twice (22), and a share under the difficulty (23)', async () => {
    const { client, job, extranonce1, share } = await miner();
    expect(await client.request('mining.submit', [user, ...share.submit])).toMatchObject({ result: true });
    expect(await errorOf(client, 'mining.submit', [user, ...share.submit])).toEqual([22, 'duplicate share', null]);
    const weak = grind(job, extranonce1, '00000001', (h) => !meetsTarget(h, targetForDifficulty(client.lastDifficulty()! / 1.01)));
    expect(await errorOf(client, 'mining.submit', [user, ...weak.submit])).toEqual([23, 'low difficulty share', null]);
    expect(await counterValue(node!.registry, 'carechain_stratum_shares_total', { result: 'duplicate' })).toBe(1);
    expect(await counterValue(node!.registry, 'carechain_stratum_shares_total', { result: 'low-difficulty' })).toBe(1);
    expect(node!.server.sessions()[0]).toMatchObject({ sharesAccepted: 1, sharesRejected: 2 });
  });

  it('takes a share that misses the exact target by less than the rounding slack (1/1024)', async () => {
    node = await startStratumNode();
    const client = await open();
    const extranonce1 = ((await client.request('mining.subscribe', ['test'])).result as unknown[])[1] as string;
    await client.request('mining.authorize', [user, 'd=4.6e-10']); // about every other hash meets it
    await client.waitFor((m) => m.method === 'mining.notify');
    const job = notifyParams(client.lastNotify()!);
    const exact = targetForDifficulty(client.lastDifficulty()!);
    const network = bitsToTarget(parseInt(job.nbits, 16));
    const inSlack = grind(job, extranonce1, '00000002', (h) => !meetsTarget(h, exact) && meetsTarget(h, exact + (exact >> 11n)) && !meetsTarget(h, network));
    expect(await client.request('mining.submit', [user, ...inSlack.submit])).toMatchObject({ result: true });
  });

  it('drops a flood of junk lines and bans the address, while other miners carry on', async () => {
    const { client: honest, share } = await miner({ banMs: 60_000 });
    const flooder = await open('127.0.0.2');
    flooder.write('junk\n'.repeat(5000));
    await flooder.closed;
    expect(node!.log.lines.some((l) => l.includes('stratum: banned 127.0.0.2'))).toBe(true);
    const again = await open('127.0.0.2');
    await again.closed;
    expect(await honest.request('mining.submit', [user, ...share.submit])).toMatchObject({ result: true });
  });

  it('bans a session whose shares are mostly invalid', async () => {
    const { client, share } = await miner({ banMs: 60_000 }, '127.0.0.3');
    const [jobId, , ntime, nonce] = share.submit;
    for (let i = 0; i < 25 && !client.isClosed; i++) client.send('mining.submit', [user, jobId, '0000', ntime, nonce]);
    await client.closed;
    expect(node!.log.lines.some((l) => l.includes('stratum: banned 127.0.0.3'))).toBe(true);
  });

  it('drops a connection that sends 16 KiB without a newline', async () => {
    node = await startStratumNode();
    const client = await open();
    client.write('{"id":1,"method":"mining.subscribe","params":["' + 'a'.repeat(17 * 1024));
    await client.closed;
    expect(node.log.lines.some((l) => l.includes('a line over 16384 bytes'))).toBe(true);
    const fine = await open();
    expect(await fine.request('mining.subscribe', ['a'.repeat(15 * 1024)])).toMatchObject({ error: null });
  });

  it('limits sessions per address and in total', async () => {
    node = await startStratumNode({ maxSessionsPerAddress: 2, maxSessions: 3 });
    const a = [await open(), await open()];
    const third = await open();
    await third.closed;
    await until(() => node!.log.lines.some((l) => l.includes('2 sessions from this address')));
    const other = await open('127.0.0.4');
    expect(await other.request('mining.ping', [])).toMatchObject({ result: 'pong' });
    const fourth = await open('127.0.0.5');
    await fourth.closed;
    expect(node.log.lines.some((l) => l.includes('3 sessions open (the limit)'))).toBe(true);
    for (const c of a) expect(c.isClosed).toBe(false);
  });

  it('closes a connection that never gets to work, and one that goes silent', async () => {
    node = await startStratumNode({ handshakeTimeoutMs: 300, idleTimeoutMs: 1500 });
    const lurker = await open();
    const { client } = await miner();
    await lurker.closed;
    expect(client.isClosed).toBe(false);
    await client.closed;
  });

  it('honours suggest_difficulty as a number or a numeric string, within [min, network difficulty]', async () => {
    node = await startStratumNode({ minDifficulty: 1e-9 });
    const network = difficulty(node.publisher.current()!.template.targetValue);
    const client = await open();
    await client.request('mining.subscribe', []);
    await client.request('mining.authorize', [user, 'x']);
    await client.waitFor((m) => m.method === 'mining.notify');
    expect(await client.request('mining.suggest_difficulty', ['1000'])).toMatchObject({ result: true });
    await until(() => client.lastDifficulty() === network);
    expect(await client.request('mining.suggest_difficulty', [1e-12])).toMatchObject({ result: true });
    await until(() => client.lastDifficulty() === 1e-9);
    expect((await errorOf(client, 'mining.suggest_difficulty', ['lots']))[0]).toBe(20);
  });
});
