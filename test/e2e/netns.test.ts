import { spawnSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { generateKeyPair } from '../../src/chain/keys.js';
import { networks } from '../../src/chain/network.js';
import { verifyReceipt } from '../../src/chain/receipt.js';
import { buildTransfer } from '../../src/chain/signing.js';
import { removeTempDirs, tempDir } from '../chain/helpers.js';
import { startNodeProcess, waitFor, type NodeProcess } from './node-process.js';
import { txHex } from './peer-nodes.js';

/**
 * The three-node line across real network stacks: each node in a network namespace of its own
 * (ip netns, veth pairs, as root), A – B – C on two links, and a partition made by taking the B – C
 * link down. The test reaches each node's HTTP API over one more veth pair from the root namespace.
 * Where namespaces cannot be made (not root, no iproute2), the suite is skipped with the reason.
 */
const tag = `cc${process.pid % 100_000}`;
const ns = { a: `${tag}a`, b: `${tag}b`, c: `${tag}c` };

function sh(...args: string[]): { ok: boolean; out: string } {
  const r = spawnSync(args[0]!, args.slice(1), { encoding: 'utf8' });
  return { ok: r.status === 0, out: `${r.stdout ?? ''}${r.stderr ?? ''}${r.error ? r.error.message : ''}`.trim() };
}

function cannotUseNamespaces(): string | undefined {
  if (process.platform !== 'linux') return 'not Linux';
  if (process.getuid?.() !== 0) return 'not root';
  const probe = sh('ip', 'netns', 'add', `${tag}p`);
  if (!probe.ok) return `ip netns add failed: ${probe.out}`;
  sh('ip', 'netns', 'del', `${tag}p`);
  return undefined;
}

const skipReason = cannotUseNamespaces();
if (skipReason) console.log(`netns test skipped: ${skipReason}`);

/** Run a command inside a namespace; throws with its output when it fails. */
function inNs(name: string, ...args: string[]): void {
  const r = sh('ip', 'netns', 'exec', name, ...args);
  if (!r.ok) throw new Error(`${name}: ${args.join(' ')}: ${r.out}`);
}

function run(...args: string[]): void {
  const r = sh(...args);
  if (!r.ok) throw new Error(`${args.join(' ')}: ${r.out}`);
}

/** A veth pair between two namespaces (undefined = the root namespace), each end addressed. */
function link(ifA: string, nsA: string | undefined, addrA: string, ifB: string, nsB: string, addrB: string): void {
  run('ip', 'link', 'add', ifA, 'type', 'veth', 'peer', 'name', ifB);
  if (nsA) run('ip', 'link', 'set', ifA, 'netns', nsA);
  run('ip', 'link', 'set', ifB, 'netns', nsB);
  const at = (n: string | undefined, ...cmd: string[]) => (n ? inNs(n, ...cmd) : run(...cmd));
  at(nsA, 'ip', 'addr', 'add', addrA, 'dev', ifA);
  at(nsA, 'ip', 'link', 'set', ifA, 'up');
  inNs(nsB, 'ip', 'addr', 'add', addrB, 'dev', ifB);
  inNs(nsB, 'ip', 'link', 'set', ifB, 'up');
}

interface NsNode {
  proc: NodeProcess;
  url: string;
  peerId: string;
  get<T = any>(path: string): Promise<T>;
}

const owner = generateKeyPair();
const nodes: NsNode[] = [];
const TOKEN = 'netns-test-token';

/** Start a node in a namespace, listening everywhere there; `api` is its address seen from the root namespace. */
async function startIn(name: string, api: string, args: string[]): Promise<NsNode> {
  const proc = await startNodeProcess(['--network', 'test', '--host', '0.0.0.0', '--token', TOKEN, '--port', '8080', '--p2p-port', '9333', '--stratum-port', '3333', '--rate-limit', '0', '--data', tempDir(), ...args], 30_000, ['ip', 'netns', 'exec', name]);
  const peerId = await waitFor('its peer id', async () => /p2p: peer id (\S+?),?\s/.exec(proc.log())?.[1], 10_000, 50);
  const url = `http://${api}:8080`;
  const node: NsNode = {
    proc,
    url,
    peerId,
    async get(path) {
      const res = await fetch(url + path);
      if (!res.ok) throw new Error(`GET ${path}: ${res.status}`);
      return (await res.json()) as never;
    },
  };
  nodes.push(node);
  return node;
}

describe.skipIf(skipReason !== undefined)('three nodes in network namespaces', () => {
  let a: NsNode;
  let b: NsNode;
  let c: NsNode;

  beforeAll(async () => {
    for (const name of Object.values(ns)) {
      run('ip', 'netns', 'add', name);
      inNs(name, 'ip', 'link', 'set', 'lo', 'up');
    }
    link(`${tag}ab`, ns.a, '10.201.1.1/24', `${tag}ba`, ns.b, '10.201.1.2/24');
    link(`${tag}bc`, ns.b, '10.201.2.2/24', `${tag}cb`, ns.c, '10.201.2.3/24');
    link(`${tag}ha`, undefined, '10.201.91.1/30', `${tag}xa`, ns.a, '10.201.91.2/30');
    link(`${tag}hb`, undefined, '10.201.92.1/30', `${tag}xb`, ns.b, '10.201.92.2/30');
    link(`${tag}hc`, undefined, '10.201.93.1/30', `${tag}xc`, ns.c, '10.201.93.2/30');
    a = await startIn(ns.a, '10.201.91.2', ['-t', '1', '--coinbase', owner.publicKey]);
    b = await startIn(ns.b, '10.201.92.2', ['--no-mine', '--peer', `/ip4/10.201.1.1/tcp/9333/p2p/${a.peerId}`]);
    c = await startIn(ns.c, '10.201.93.2', ['--no-mine', '--peer', `/ip4/10.201.2.2/tcp/9333/p2p/${b.peerId}`]);
  }, 120_000);

  afterAll(async () => {
    for (const n of nodes) {
      if (n.proc.child.exitCode === null && n.proc.child.signalCode === null) n.proc.child.kill('SIGKILL');
      await n.proc.exited;
    }
    for (const name of Object.values(ns)) sh('ip', 'netns', 'del', name);
    removeTempDirs();
  });

  const sameTip = (list: NsNode[], minHeight: number, timeoutMs = 60_000) =>
    waitFor(`one tip at ${minHeight}+`, async () => {
      const s = await Promise.all(list.map((n) => n.get<{ height: number; tip: string }>('/status')));
      return s.every((x) => x.tip === s[0]!.tip && x.height >= minHeight) ? s[0]! : undefined;
    }, timeoutMs, 250);

  it('C follows A through B, and a transaction sent to C is mined by A', async () => {
    await sameTip([a, b, c], networks.test.coinbaseMaturity + 3);
    const peersOfB = await b.get<{ peers: { id: string; addresses: string[] }[] }>('/peers');
    expect(peersOfB.peers.map((p) => p.id).sort()).toEqual([a.peerId, c.peerId].sort());
    expect(peersOfB.peers.flatMap((p) => p.addresses).join(' ')).toMatch(/10\.201\.(1\.1|2\.3)/);

    const sequence = (await c.get<{ pendingSequence: number }>(`/accounts/${owner.publicKey}`)).pendingSequence;
    const tx = buildTransfer({ network: networks.test, privateKey: owner.privateKey, sequence, fee: 1000, recipient: generateKeyPair().publicKey, amount: 31 });
    const res = await fetch(`${c.url}/txs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hex: txHex(tx) }) });
    expect(res.status).toBe(202);
    const { txid } = (await res.json()) as { txid: string };
    const mined = await waitFor('A mines it', async () => (await a.get(`/txs/${txid}`).catch(() => ({ block: null }))).block ?? undefined, 60_000, 250);
    await sameTip([a, c], mined.height);
    expect(verifyReceipt(await c.get(`/txs/${txid}/receipt`))).toMatchObject({ valid: true });
  });

  it('a link taken down cuts C off; brought back up, C catches up by itself', async () => {
    inNs(ns.b, 'ip', 'link', 'set', `${tag}bc`, 'down');
    const cut = await c.get<{ height: number }>('/status');
    await waitFor('A well past C', async () => ((await a.get<{ height: number }>('/status')).height >= cut.height + 3 ? true : undefined), 60_000);
    expect((await c.get<{ height: number }>('/status')).height).toBeLessThan((await a.get<{ height: number }>('/status')).height);
    inNs(ns.b, 'ip', 'link', 'set', `${tag}bc`, 'up');
    const healed = await a.get<{ height: number }>('/status');
    await sameTip([a, b, c], healed.height, 90_000);
  });
});
