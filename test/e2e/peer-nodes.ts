import { toHex } from '../../src/chain/hash.js';
import { encodeTx, type SignedTx } from '../../src/chain/tx.js';
import { startNodeProcess, waitFor, type NodeProcess } from './node-process.js';

/** A `carechain start` process on the peer-to-peer network, with its peer id and listening address. */
export interface PeerNode extends NodeProcess {
  name: string;
  peerId: string;
  /** The multiaddr other nodes pass to --peer (with /p2p/<id>). */
  p2pAddr: string;
  get<T = any>(path: string): Promise<T>;
  post(path: string, body?: unknown): Promise<Response>;
  del(path: string): Promise<Response>;
  metric(name: string, labels?: Record<string, string>): Promise<number>;
  height(): Promise<number>;
  stop(): Promise<void>;
}

const running = new Set<PeerNode>();

/** Start a node on the test network with a free HTTP and p2p port; `args` add to (and may override) those. */
export async function startPeerNode(name: string, args: string[], timeoutMs = 30_000): Promise<PeerNode> {
  const base = ['--network', 'test', '--port', '0', '--p2p-port', '0', '--stratum-port', '0', '--rate-limit', '0'];
  const proc = await startNodeProcess([...base, ...args], timeoutMs);
  const p2pAddr = await waitFor(`${name}'s p2p address`, async () => /p2p: listening on (\S+?)(,|\s|$)/.exec(proc.log())?.[1], 10_000, 50);
  const peerId = p2pAddr.split('/p2p/')[1]!;
  const get = async <T = any>(path: string): Promise<T> => {
    const res = await fetch(proc.url + path);
    if (!res.ok) throw new Error(`${name} GET ${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };
  const node: PeerNode = {
    ...proc,
    name,
    peerId,
    p2pAddr,
    get,
    post: (path, body) => fetch(proc.url + path, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body ?? {}) }),
    del: (path) => fetch(proc.url + path, { method: 'DELETE' }),
    async metric(metricName, labels = {}) {
      const text = await (await fetch(proc.url + '/metrics')).text();
      const want = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
      return text
        .split('\n')
        .filter((l) => (l.startsWith(metricName + ' ') || l.startsWith(metricName + '{')) && want.every((w) => l.includes(w)))
        .reduce((sum, l) => sum + Number(l.split(' ').pop()), 0);
    },
    height: async () => (await get<{ height: number }>('/status')).height,
    async stop() {
      running.delete(node);
      if (proc.child.exitCode !== null || proc.child.signalCode !== null) return;
      proc.child.kill('SIGTERM');
      const timer = setTimeout(() => proc.child.kill('SIGKILL'), 10_000);
      await proc.exited;
      clearTimeout(timer);
    },
  };
  running.add(node);
  return node;
}

/** Stop every node still running (afterAll / afterEach), each by its own pid. */
export async function stopAllPeerNodes(): Promise<void> {
  await Promise.all([...running].map((n) => n.stop()));
}

export function txHex(tx: SignedTx): string {
  return toHex(encodeTx(tx));
}

/** Wait until every node has the same tip at a height of at least `minHeight`; returns that tip. */
export async function waitForSameTip(nodes: PeerNode[], minHeight: number, timeoutMs = 60_000): Promise<{ height: number; tip: string }> {
  return waitFor(
    `${nodes.map((n) => n.name).join(', ')} on one tip at ${minHeight}+`,
    async () => {
      const statuses = await Promise.all(nodes.map((n) => n.get<{ height: number; tip: string }>('/status')));
      const [first] = statuses;
      return statuses.every((s) => s.tip === first!.tip && s.height >= minHeight) ? { height: first!.height, tip: first!.tip } : undefined;
    },
    timeoutMs,
    250,
  );
}
