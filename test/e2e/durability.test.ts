import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { buildTransfer } from '../../src/chain/signing.js';
import { generateKeyPair, type KeyPair } from '../../src/chain/keys.js';
import { networks } from '../../src/chain/network.js';
import { encodeTx, txidHex, type SignedTx } from '../../src/chain/tx.js';
import { mountSmallDisk, smallDiskUnavailable, type SmallDisk } from '../helpers/small-disk.js';
import { startNodeProcess, waitFor, type NodeProcess } from './node-process.js';

// "Nothing acknowledged is lost", tried the hard way: a real node on a small real disk, a load of
// signed transfers from several wallets, the disk filling up mid-load, journal compactions, and a
// kill -9 at a random moment; after each restart every transaction that was answered 202 must still
// be known (pending, held, mined — or answered 410 with why). DURABILITY_ROUNDS sets the kills
// (3 in CI; the closing note's figure ran more).

const ROUNDS = Number(process.env.DURABILITY_ROUNDS ?? 3);
const WALLETS = 8;
const net = networks.test;
const unavailable = smallDiskUnavailable();

let node: NodeProcess | undefined;
let disk: SmallDisk | undefined;
afterEach(async () => {
  if (node && node.child.exitCode === null && node.child.signalCode === null) {
    node.child.kill('SIGKILL');
    await node.exited;
  }
  node = undefined;
  disk?.unmount();
  disk = undefined;
});

function start(dataDir: string): Promise<NodeProcess> {
  return startNodeProcess(['--network', 'test', '--data', dataDir, '--port', '0', '-t', '1', '--rate-limit', '0', '--max-connections-per-client', '0', '--no-stratum', '--no-p2p']);
}

async function getJson(url: string): Promise<{ status: number; body: any }> {
  const res = await fetch(url);
  return { status: res.status, body: await res.json().catch(() => null) };
}

async function submit(url: string, tx: SignedTx): Promise<number> {
  const res = await fetch(`${url}/txs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hex: Buffer.from(encodeTx(tx)).toString('hex') }) });
  await res.arrayBuffer();
  return res.status;
}

/** A wallet sends its next transfer; on a refusal it re-reads its sequence from the node. */
async function wallet(url: string, key: KeyPair, until: () => boolean, acked: Set<string>, outcomes: Map<number, number>): Promise<void> {
  let sequence = (await getJson(`${url}/accounts/${key.publicKey}`)).body.pendingSequence as number;
  for (let sent = 0; !until() && sent < 2000; sent++) {
    const tx = buildTransfer({ network: net, privateKey: key.privateKey, sequence, fee: 500, recipient: '22'.repeat(32), amount: 1 });
    let status: number;
    try {
      status = await submit(url, tx);
    } catch {
      return; // the node was killed under us
    }
    outcomes.set(status, (outcomes.get(status) ?? 0) + 1);
    if (status === 202) {
      acked.add(txidHex(tx));
      sequence++;
    } else if (status === 503 || status === 429) {
      await new Promise((r) => setTimeout(r, 50)); // storage-unavailable: try the same one again
    } else {
      // 422 (a sender limit, a sequence the node moved past): ask the node where this wallet is.
      await new Promise((r) => setTimeout(r, 100));
      sequence = (await getJson(`${url}/accounts/${key.publicKey}`).catch(() => ({ body: { pendingSequence: sequence } }))).body.pendingSequence;
    }
  }
}

describe.skipIf(unavailable !== undefined)(`a node killed under load, with its disk filling up (${unavailable ?? 'a real tmpfs'})`, () => {
  it(`answers for every acknowledged transaction after ${ROUNDS} kill -9s at random moments`, async () => {
    disk = mountSmallDisk(48 * 1024 * 1024);
    const dataDir = join(disk.dir, 'data');
    node = await start(dataDir);
    // The node mines to its own key: that key funds the wallets once its rewards are mature.
    const nodeKey = JSON.parse(readFileSync(join(dataDir, 'node-key.json'), 'utf8')) as KeyPair;
    await waitFor('mature rewards', async () => ((await getJson(`${node!.url}/status`)).body.height > net.coinbaseMaturity + WALLETS ? true : undefined), 60_000);
    const wallets = Array.from({ length: WALLETS }, generateKeyPair);
    const fundSeq = (await getJson(`${node.url}/accounts/${nodeKey.publicKey}`)).body.pendingSequence as number;
    for (const [i, w] of wallets.entries()) {
      expect(await submit(node.url, buildTransfer({ network: net, privateKey: nodeKey.privateKey, sequence: fundSeq + i, fee: 1000, recipient: w.publicKey, amount: 1_000_000 }))).toBe(202);
    }
    await waitFor('funded wallets', async () => {
      const balances = await Promise.all(wallets.map(async (w) => (await getJson(`${node!.url}/accounts/${w.publicKey}`)).body.balance as number));
      return balances.every((b) => b > 0) ? true : undefined;
    });

    const logs: string[] = [];
    const acked = new Set<string>();
    const outcomes = new Map<number, number>();
    const report: { round: number; acked: number; lost: number; gone: number; diskFull: boolean }[] = [];
    for (let round = 1; round <= ROUNDS; round++) {
      let stop = false;
      const load = Promise.all(wallets.map((w) => wallet(node!.url, w, () => stop, acked, outcomes)));
      // The disk fills for a while in every other round: submissions answer 503 and nothing is admitted.
      const diskFull = round % 2 === 1;
      if (diskFull) {
        await new Promise((r) => setTimeout(r, 500 + Math.random() * 500));
        disk.fill(0);
        await new Promise((r) => setTimeout(r, 400 + Math.random() * 600));
        disk.free();
      }
      await new Promise((r) => setTimeout(r, 300 + Math.random() * 2500));
      node.child.kill('SIGKILL');
      await node.exited;
      logs.push(node.log());
      stop = true;
      await load;
      node = await start(dataDir);
      const lost: string[] = [];
      let gone = 0;
      for (const txid of acked) {
        const { status } = await getJson(`${node.url}/txs/${txid}`);
        if (status === 404) lost.push(txid);
        else if (status === 410) gone++;
        else expect(status, txid).toBe(200);
      }
      report.push({ round, acked: acked.size, lost: lost.length, gone, diskFull });
      expect(lost, `round ${round}: acknowledged but unknown after the restart`).toEqual([]);
    }
    // Compaction waits for 1024 journal records: random kill moments can make every round short of
    // them, so the load goes on against the restarted node until it compacts (bounded).
    if (!`${logs.join('')}${node.log()}`.includes('journal compacted')) {
      let stop = false;
      const load = Promise.all(wallets.map((w) => wallet(node!.url, w, () => stop, acked, outcomes)));
      await waitFor('a journal compaction under load', async () => (node!.log().includes('journal compacted') ? true : undefined), 60_000).finally(() => (stop = true));
      await load;
    }
    // The load did reach the disk-full path (503s, a failing journal in the log) and compactions.
    const all = logs.join('') + node.log();
    process.stderr.write(`durability: ${JSON.stringify({ report, outcomes: Object.fromEntries(outcomes), compactions: all.match(/journal compacted/g)?.length ?? 0 })}\n`);
    expect(outcomes.get(202)).toBeGreaterThan(100);
    expect(outcomes.get(503)).toBeGreaterThan(0);
    expect(all).toMatch(/cannot write the journal \(ENOSPC\)/);
    expect(all).toMatch(/journal is writable again/);
    expect(all).toMatch(/journal compacted/);
  }, 120_000 + ROUNDS * 20_000); // a start, a load and a restart per round, and load until a compaction
});
