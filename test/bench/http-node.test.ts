import { describe, expect, it } from 'vitest';
import { startBenchNode, unfundedTransfers } from '../../bench/http-node.js';

describe('bench http without --url', () => {
  it('starts a mining node of its own, whose admission path refuses the signed unfunded transfers as 422', async () => {
    const node = await startBenchNode();
    try {
      const [hex] = unfundedTransfers(1);
      const res = await fetch(`${node.url}/txs`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ hex }) });
      expect(res.status).toBe(422);
      expect(res.headers.get('content-type')).toMatch(/application\/problem\+json/);
      expect(((await res.json()) as { type: string }).type).toMatch(/insufficient-funds/);
      const mining = (await (await fetch(`${node.url}/mining`)).json()) as { paused: boolean; threads: number };
      expect(mining).toMatchObject({ paused: false });
      expect(mining.threads).toBeGreaterThan(0);
    } finally {
      await node.stop();
    }
  });
});
