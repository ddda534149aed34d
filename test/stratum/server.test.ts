import { afterEach, describe, expect, it } from 'vitest';
import type { CoinbaseTx } from '../../src/chain/tx.js';
import { fromDisplayHex, toDisplayHex, toHex } from '../../src/chain/hash.js';
import { bitsToTarget } from '../../src/chain/target.js';
import { targetForDifficulty } from '../../src/stratum/protocol.js';
import { keys, mineNext, removeTempDirs } from '../chain/helpers.js';
import { until } from '../node/fakes.js';
import { cpuminerTarget, grind, meetsTarget, notifyParams } from './cpuminer-style.js';
import { counterValue, startStratumNode, type StratumNode } from './harness.js';
import { RawClient } from './raw-client.js';

let node: StratumNode | undefined;
const clients: RawClient[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.close();
  await node?.close();
  node = undefined;
  removeTempDirs();
});

async function open(port = node!.server.port, localAddress?: string): Promise<RawClient> {
  const client = await RawClient.open(port, localAddress ? { localAddress } : {});
  clients.push(client);
  return client;
}

/** Subscribe and authorize as cpuminer does; returns the extranonce1 and the first job. */
async function handshake(client: RawClient, username: string, password = 'x') {
  const sub = await client.request('mining.subscribe', ['cpuminer/2.5.1']);
  const [, extranonce1, size] = sub.result as [unknown, string, number];
  const auth = await client.request('mining.authorize', [username, password]);
  expect(auth).toMatchObject({ result: true, error: null });
  await client.waitFor((m) => m.method === 'mining.notify', 5000, 'the first job');
  return { extranonce1, size, job: notifyParams(client.lastNotify()!), difficulty: client.lastDifficulty()! };
}

describe('the Stratum server, as cpuminer sees it', () => {
  it('answers subscribe with the session id, a 4-byte extranonce1 and extranonce2 size 4; sends nothing but answers until authorized', async () => {
    node = await startStratumNode();
    const client = await open();
    const sub = await client.request('mining.subscribe', ['cpuminer/2.5.1']);
    const [subscriptions, extranonce1, size] = sub.result as [[string, string][], string, number];
    expect(subscriptions).toEqual([['mining.set_difficulty', extranonce1], ['mining.notify', extranonce1]]);
    expect(extranonce1).toMatch(/^[0-9a-f]{8}$/);
    expect(size).toBe(4);
    const miner = keys().publicKey;
    const auth = await client.request('mining.authorize', [`${miner}.rig1`, 'x']);
    expect(auth.result).toBe(true);
    await client.waitFor((m) => m.method === 'mining.notify');
    // In order: the two answers, then the difficulty before the first job.
    expect(client.messages.map((m) => m.method ?? `answer ${String(m.id)}`)).toEqual(['answer 100', 'answer 101', 'mining.set_difficulty', 'mining.notify']);
    const job = notifyParams(client.lastNotify()!);
    const tip = node.chain.tip();
    const template = node.publisher.current()!.template;
    // prevhash word-swapped, version/nbits/ntime big-endian hex, clean on the first job.
    expect(job.prevhash).toBe(Buffer.from(fromDisplayHex(tip.hash)).swap32().toString('hex'));
    expect(job.version).toBe('00000001');
    expect(job.nbits).toBe(template.fields.bits.toString(16).padStart(8, '0'));
    expect(parseInt(job.ntime, 16)).toBe(template.fields.time);
    expect(job.clean).toBe(true);
    // coinb1 pays the username's key; the difficulty is never above the network's.
    expect(job.coinb1.slice(10, 74)).toBe(miner);
    expect(client.lastDifficulty()!).toBeLessThanOrEqual(tip.difficulty * 1.0000001);
    expect(node.server.sessions()).toEqual([expect.objectContaining({ worker: `${miner}.rig1`, address: '127.0.0.1', extranonce1, userAgent: 'cpuminer/2.5.1' })]);
  });

  it('accepts a share built the way cpuminer builds it, and counts its difficulty', async () => {
    node = await startStratumNode();
    const client = await open();
    const networkDifficulty = node.chain.tip().difficulty;
    const { extranonce1, job, difficulty } = await handshake(client, keys().publicKey, `x,d=${networkDifficulty / 64}`);
    expect(difficulty).toBe(networkDifficulty / 64);
    const network = bitsToTarget(parseInt(job.nbits, 16));
    const share = grind(job, extranonce1, '00000000', (h) => meetsTarget(h, cpuminerTarget(difficulty)) && !meetsTarget(h, network));
    const answer = await client.request('mining.submit', ['worker', ...share.submit]);
    expect(answer.error).toMatchObject([24, 'unauthorized worker', null]);
    const user = node.server.sessions()[0]!.worker!;
    expect(await client.request('mining.submit', [user, ...share.submit])).toMatchObject({ result: true, error: null });
    expect(node.server.sessions()[0]).toMatchObject({ sharesAccepted: 1, sharesRejected: 1, difficulty });
    expect(node.server.sessions()[0]!.hashrate).toBeGreaterThan(0);
    expect(await counterValue(node.registry, 'carechain_stratum_shares_total', { result: 'accepted' })).toBe(1);
    expect(await counterValue(node.registry, 'carechain_stratum_accepted_difficulty_total')).toBeCloseTo(difficulty, 15);
    expect(node.chain.tip().height).toBe(0);
  });

  it('stores a share that meets the network target as a block paid to the username, before it answers true', async () => {
    node = await startStratumNode();
    const client = await open();
    const miner = keys().publicKey;
    const { extranonce1, job } = await handshake(client, `${miner}.rig`);
    const share = grind(job, extranonce1, '2a000000', (h) => meetsTarget(h, bitsToTarget(parseInt(job.nbits, 16))));
    const blocks: { hash: string; source: string }[] = [];
    node.chain.on('block', (b) => blocks.push(b));
    const heightWhenAnswered = new Promise<number>((resolve) => {
      client.socket.on('data', () => resolve(node!.chain.tip().height));
    });
    const answer = await client.request('mining.submit', [`${miner}.rig`, ...share.submit]);
    expect(answer).toMatchObject({ result: true, error: null });
    expect(await heightWhenAnswered).toBe(1); // on disk and the tip when the answer was read
    expect(blocks).toEqual([expect.objectContaining({ hash: toDisplayHex(share.hash), source: 'stratum', outcome: 'new-tip' })]);
    const stored = node.chain.blockByHeight(1)!.block;
    const coinbase = stored.txs[0] as CoinbaseTx;
    expect(toHex(coinbase.recipient)).toBe(miner);
    expect(coinbase.extranonce1).toBe(Buffer.from(extranonce1, 'hex').readUInt32LE());
    expect(coinbase.extranonce2).toBe(42);
    expect(node.chain.account(miner).balance).toBe(coinbase.value);
    expect(await counterValue(node.registry, 'carechain_stratum_blocks_found_total')).toBe(1);
    // The new tip reaches the miner as a clean job.
    await client.waitFor((m) => m.method === 'mining.notify' && (m.params as unknown[])[8] === true && (m.params as string[])[0] !== job.jobId);
    expect(notifyParams(client.lastNotify()!).prevhash).toBe(Buffer.from(share.hash).swap32().toString('hex'));
  });

  it('pays the node\'s own key when the username is not a key', async () => {
    node = await startStratumNode();
    const client = await open();
    const { job } = await handshake(client, 'alice.rig1');
    expect(job.coinb1.slice(10, 74)).toBe(node.nodeKey);
  });

  it('gives every live session its own extranonce1, never the node miner\'s, and gives a recent one back on resume', async () => {
    node = await startStratumNode();
    const own = node.publisher.current()!.template.fields.extranonce1;
    const a = await open();
    const b = await open();
    const xa = ((await a.request('mining.subscribe', [])).result as unknown[])[1] as string;
    const xb = ((await b.request('mining.subscribe', [])).result as unknown[])[1] as string;
    expect(xa).not.toBe(xb);
    for (const x of [xa, xb]) expect(Buffer.from(x, 'hex').readUInt32LE()).not.toBe(own);
    a.close();
    await until(() => node!.server.sessionCount === 1);
    const again = await open();
    const resumed = ((await again.request('mining.subscribe', ['cpuminer/2.5.1', xa])).result as unknown[])[1];
    expect(resumed).toBe(xa);
    // A live session's id cannot be taken over.
    const thief = await open();
    expect(((await thief.request('mining.subscribe', ['x', xb])).result as unknown[])[1]).not.toBe(xb);
  });

  it('rolls version bits inside the mask it granted with mining.configure (BIP 310)', async () => {
    node = await startStratumNode();
    const client = await open();
    const configure = await client.request('mining.configure', [['version-rolling'], { 'version-rolling.mask': 'ffffffff', 'version-rolling.min-bit-count': 2 }]);
    expect(configure.result).toEqual({ 'version-rolling': true, 'version-rolling.mask': '1fffe000' });
    const user = keys().publicKey;
    const { extranonce1, job } = await handshake(client, user, `d=${node.chain.tip().difficulty / 64}`);
    const bits = 0x00006000;
    const rolled = { ...job, version: (parseInt(job.version, 16) | bits).toString(16).padStart(8, '0') };
    const share = grind(rolled, extranonce1, '00000001', (h) => meetsTarget(h, targetForDifficulty(client.lastDifficulty()!)));
    expect(await client.request('mining.submit', [user, ...share.submit, '00006000'])).toMatchObject({ result: true });
    expect((await client.request('mining.submit', [user, ...share.submit, '20000000'])).error).toMatchObject([20, 'version bits outside the negotiated mask', null]);
  });

  it('steers a fast session toward a share every few seconds with set_difficulty and a new job id', async () => {
    node = await startStratumNode({ vardiff: { targetSeconds: 5, retargetShares: 4 } });
    const client = await open();
    const user = keys().publicKey;
    const start = node.chain.tip().difficulty / 4096;
    await client.request('mining.suggest_difficulty', [String(start)]);
    const { extranonce1, job } = await handshake(client, user);
    expect(client.lastDifficulty()).toBe(start);
    const network = bitsToTarget(parseInt(job.nbits, 16));
    let nonce = 0;
    for (let i = 0; i < 4; i++) {
      const share = grind(job, extranonce1, '00000000', (h) => meetsTarget(h, targetForDifficulty(start)) && !meetsTarget(h, network), nonce);
      nonce = Buffer.from(share.submit[3], 'hex').readUInt32LE() + 1;
      expect(await client.request('mining.submit', [user, ...share.submit])).toMatchObject({ result: true });
    }
    // Four shares in well under a second: far more than one per 5 s, so the difficulty goes up, with a job to carry it.
    const seen = client.messages.length;
    await client.waitFor((m) => m.method === 'mining.notify', 2000, 'a job with the new difficulty', seen - 2);
    expect(client.lastDifficulty()!).toBeGreaterThan(start * 2);
    expect(client.lastDifficulty()!).toBeLessThanOrEqual(node.chain.tip().difficulty * 1.0000001);
    expect(notifyParams(client.lastNotify()!).jobId).not.toBe(job.jobId);
    // A share for the first job is still held to that job's difficulty.
    const old = grind(job, extranonce1, '00000005', (h) => meetsTarget(h, targetForDifficulty(start)) && !meetsTarget(h, targetForDifficulty(client.lastDifficulty()!)));
    expect(await client.request('mining.submit', [user, ...old.submit])).toMatchObject({ result: true });
  });

  it('tells every miner to reconnect when it shuts down', async () => {
    node = await startStratumNode();
    const client = await open();
    await handshake(client, keys().publicKey);
    const closing = node.server.close();
    await client.waitFor((m) => m.method === 'client.reconnect');
    await closing;
    await client.closed;
  });
});

describe('a share on a job the tip has left', () => {
  it('is stale (21), and a block it makes still goes to the chain', async () => {
    node = await startStratumNode();
    const client = await open();
    const user = keys().publicKey;
    const { extranonce1, job } = await handshake(client, user, `d=${node.chain.tip().difficulty / 64}`);
    const network = bitsToTarget(parseInt(job.nbits, 16));
    const plain = grind(job, extranonce1, '00000000', (h) => meetsTarget(h, targetForDifficulty(client.lastDifficulty()!)) && !meetsTarget(h, network));
    const block = grind(job, extranonce1, '00000003', (h) => meetsTarget(h, network));
    await mineNext(node.chain, { time: node.publisher.current()!.template.fields.time });
    await client.waitFor((m) => m.method === 'mining.notify' && (m.params as unknown[])[8] === true && (m.params as string[])[0] !== job.jobId);
    expect((await client.request('mining.submit', [user, ...plain.submit])).error).toMatchObject([21, 'stale job: the chain has a new tip', null]);
    const sides: string[] = [];
    node.chain.on('block', (b) => sides.push(`${b.outcome}/${b.source}`));
    expect(((await client.request('mining.submit', [user, ...block.submit])).error as unknown[])[0]).toBe(21);
    expect(sides).toEqual(['side-branch/stratum']);
    expect(node.chain.blockByHash(toDisplayHex(block.hash))).toBeDefined();
  });
});

