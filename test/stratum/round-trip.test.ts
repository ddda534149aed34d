import { afterEach, describe, expect, it } from 'vitest';
import { encodeBlock } from '../../src/chain/block.js';
import { encodeHeader } from '../../src/chain/header.js';
import { toDisplayHex } from '../../src/chain/hash.js';
import { bitsToTarget } from '../../src/chain/target.js';
import { keys, removeTempDirs } from '../chain/helpers.js';
import { cpuminerShare, grind, meetsTarget, notifyParams } from './cpuminer-style.js';
import { startStratumNode, type StratumNode } from './harness.js';
import { RawClient } from './raw-client.js';

let node: StratumNode | undefined;
let client: RawClient | undefined;

afterEach(async () => {
  client?.close();
  await node?.close();
  node = client = undefined;
  removeTempDirs();
});

/**
 * A template from the chain, through the publisher and the server's notify, to a header built the
 * way cpuminer builds it and a cpuminer-style submit: the chain stores the very block blockFor makes
 * from the same template, extranonces, ntime and version.
 */
describe('template → notify → cpuminer submit → block', () => {
  it.each([
    { name: 'as sent', roll: 0, versionBits: null },
    { name: 'ntime rolled and version bits rolled', roll: 17, versionBits: 0x0001e000 },
  ])('stores blockFor\'s block ($name)', async ({ roll, versionBits }) => {
    node = await startStratumNode();
    client = await RawClient.open(node.server.port);
    if (versionBits !== null) await client.request('mining.configure', [['version-rolling'], { 'version-rolling.mask': '1fffe000' }]);
    const extranonce1 = ((await client.request('mining.subscribe', ['cpuminer/2.5.1'])).result as unknown[])[1] as string;
    const payee = keys().publicKey;
    await client.request('mining.authorize', [payee, 'x']);
    await client.waitFor((m) => m.method === 'mining.notify');
    const published = node.publisher.current()!;
    const job = notifyParams(client.lastNotify()!);
    const time = parseInt(job.ntime, 16) + roll;
    const version = versionBits === null ? parseInt(job.version, 16) : (parseInt(job.version, 16) | versionBits) >>> 0;
    const mined = { ...job, ntime: time.toString(16).padStart(8, '0'), version: version.toString(16).padStart(8, '0') };
    const extranonce2 = '0b0a0000';
    const share = grind(mined, extranonce1, extranonce2, (h) => meetsTarget(h, bitsToTarget(parseInt(job.nbits, 16))));
    const params = [payee, ...share.submit, ...(versionBits === null ? [] : [versionBits.toString(16).padStart(8, '0')])];
    expect(await client.request('mining.submit', params)).toMatchObject({ result: true, error: null });

    const expected = published.template.forRecipient(payee).blockFor(0x0a0b, share.header.readUInt32LE(76), {
      extranonce1: Buffer.from(extranonce1, 'hex').readUInt32LE(),
      time,
      version,
    });
    expect(Buffer.from(encodeHeader(expected.header)).equals(share.header)).toBe(true);
    const stored = node.chain.blockByHash(toDisplayHex(share.hash))!;
    expect(stored.height).toBe(1);
    expect(Buffer.from(encodeBlock(stored.block)).equals(Buffer.from(encodeBlock(expected)))).toBe(true);
    // And cpuminer's own check of the header agrees with the chain's hash.
    expect(cpuminerShare(mined, extranonce1, extranonce2, share.header.readUInt32BE(76)).hash.equals(share.hash)).toBe(true);
  });
});
