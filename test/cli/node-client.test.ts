import { afterEach, describe, expect, it } from 'vitest';
import { encodeHeader, headerHash, type BlockHeader } from '../../src/chain/header.js';
import { bytesEqual } from '../../src/chain/hash.js';
import { NodeClient } from '../../src/cli/node-client.js';
import { createApp } from '../../src/http/app.js';
import { startHttpServer, type RunningHttpServer } from '../../src/http/server.js';
import { FakeNodeApi } from '../http/fake-node-api.js';

/** A node whose best chain is `chains[n]` at its n-th GET /headers (the last one from then on). */
class ReorganisingNode extends FakeNodeApi {
  served = 0;
  constructor(private readonly chains: BlockHeader[][]) {
    super();
  }
  override listHeaders(from: number, count: number) {
    const chain = this.chains[Math.min(this.served++, this.chains.length - 1)]!;
    return Buffer.concat(chain.slice(from, from + count).map(encodeHeader));
  }
}

/** Linked headers (no proof of work: the client checks links, verify checks the rest); `salt` forks them. */
function chainOf(length: number, forkAt = length, salt = 0): BlockHeader[] {
  const out: BlockHeader[] = [];
  for (let i = 0; i < length; i++) {
    const prevHash = i === 0 ? new Uint8Array(32) : headerHash(out[i - 1]!);
    out.push({ version: 1, prevHash, merkleRoot: new Uint8Array(32).fill(i >= forkAt ? salt : 0), time: 1_700_000_000 + i, bits: 0x1f0fffff, nonce: i });
  }
  return out;
}

let server: RunningHttpServer | undefined;
afterEach(async () => {
  await server?.close();
  server = undefined;
});

async function serve(api: FakeNodeApi): Promise<NodeClient> {
  server = await startHttpServer(createApp({ api, host: '127.0.0.1', rateLimit: false }), { host: '127.0.0.1', port: 0 });
  return new NodeClient(server.url);
}

const linked = (headers: BlockHeader[]) => headers.every((h, i) => i === 0 || bytesEqual(h.prevHash, headerHash(headers[i - 1]!)));

describe('NodeClient.headers', () => {
  it('pages through GET /headers to the tip, or stops at a count', async () => {
    const chain = chainOf(4_500);
    const client = await serve(new ReorganisingNode([chain]));
    expect(await client.headers(0)).toEqual(chain);
    expect(await client.headers(4_000, 3)).toEqual(chain.slice(4_000, 4_003));
    expect(await client.headers(9_000)).toEqual([]);
  });

  it('reads a page again when the node reorganised under it, so the result is one chain', async () => {
    const before = chainOf(2_500);
    const after = chainOf(2_600, 1_500, 9); // forks at 1,500: the first page read is stale
    const api = new ReorganisingNode([before, after]);
    const headers = await (await serve(api)).headers(0);
    expect(headers).toEqual(after);
    expect(linked(headers)).toBe(true);
    expect(api.served).toBe(4); // page 1, page 2 (does not link), page 1 again, page 2
  });

  it('gives up in one line when the chain keeps changing', async () => {
    const chains = Array.from({ length: 40 }, (_, n) => chainOf(2_100, 0, n + 1));
    const client = await serve(new ReorganisingNode(chains));
    await expect(client.headers(0)).rejects.toThrow(/kept changing/);
  });
});
