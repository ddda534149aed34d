import { describe, expect, it } from 'vitest';
import { decodeHeader } from '../../src/chain/header.js';
import { blockPageView, blockView, healthView, nodeStatusView } from '../../src/http/response-schemas.js';
import { h } from './fake-node-api.js';
import { makeApp } from './make-app.js';
import { expectProblem } from './problem-assertions.js';

describe('GET /health and /status', () => {
  it('reports liveness without asking the node anything', async () => {
    const { app, api } = makeApp();
    const res = await app.request('/health');
    expect(res.status).toBe(200);
    expect(healthView.parse(await res.json())).toEqual({ status: 'ok' });
    expect(api.calls).toEqual([]);
  });

  it('returns the node summary', async () => {
    const { app } = makeApp();
    const res = await app.request('/status');
    expect(res.status).toBe(200);
    const status = nodeStatusView.parse(await res.json());
    expect(status).toMatchObject({ height: 2, tip: h(0xb002), hashrate: { '10s': 1.5e7, '60s': null } });
  });
});

describe('GET /blocks', () => {
  it('defaults to the last page ending at the tip', async () => {
    const { app, api } = makeApp();
    const res = await app.request('/blocks?limit=2');
    const page = blockPageView.parse(await res.json());
    expect(page.tipHeight).toBe(2);
    expect(page.blocks.map((b) => b.height)).toEqual([1, 2]);
    expect(api.calls).toContain('listBlocks(1,2)');
  });

  it('pages from a given height, and is empty past the tip', async () => {
    const { app, api } = makeApp();
    expect(blockPageView.parse(await (await app.request('/blocks?from=0&limit=1')).json()).blocks.map((b) => b.height)).toEqual([0]);
    expect(blockPageView.parse(await (await app.request('/blocks?from=9')).json()).blocks).toEqual([]);
    expect(api.calls.filter((c) => c.startsWith('listBlocks'))).toEqual(['listBlocks(0,1)']);
  });

  it.each(['from=-1', 'from=abc', 'from=', 'limit=0', 'limit=101', 'limit=1.5'])('rejects %s with a 400 problem', async (query) => {
    const { app } = makeApp();
    const body = await expectProblem(await app.request(`/blocks?${query}`), 400, 'invalid-request');
    expect((body.errors as { path: string }[])[0]!.path).toMatch(/^query\./);
  });
});

describe('GET /blocks/:hashOrHeight and /blocks/:id/raw', () => {
  it('finds a block by height and by hash in either case', async () => {
    const { app } = makeApp();
    const byHeight = blockView.parse(await (await app.request('/blocks/1')).json());
    expect(byHeight.hash).toBe(h(0xb001));
    const byHash = blockView.parse(await (await app.request(`/blocks/${h(0xb001).toUpperCase()}`)).json());
    expect(byHash.height).toBe(1);
    expect(byHash.txids).toEqual([h(0xc001)]);
  });

  it('answers 404 for a block that does not exist and 400 for an id that cannot be one', async () => {
    const { app } = makeApp();
    await expectProblem(await app.request('/blocks/7'), 404, 'not-found');
    await expectProblem(await app.request(`/blocks/${h(0x1)}`), 404, 'not-found');
    await expectProblem(await app.request('/blocks/tip'), 400, 'invalid-request');
    await expectProblem(await app.request('/blocks/12345678901'), 400, 'invalid-request');
  });

  it('serves the raw block as bytes, or hex on request', async () => {
    const { app } = makeApp();
    const bin = await app.request('/blocks/2/raw');
    expect(bin.headers.get('content-type')).toBe('application/octet-stream');
    expect([...new Uint8Array(await bin.arrayBuffer())]).toEqual([0xca, 0xfe, 2]);
    const hex = await app.request(`/blocks/${h(0xb001)}/raw?format=hex`);
    expect(await hex.text()).toBe('cafe01');
    await expectProblem(await app.request('/blocks/9/raw'), 404, 'not-found');
    await expectProblem(await app.request('/blocks/1/raw?format=xml'), 400, 'invalid-request');
    await expectProblem(await app.request('/blocks/-1/raw'), 400, 'invalid-request');
  });
});

describe('GET /headers', () => {
  it('answers concatenated 80-byte headers from a height, binary or hex', async () => {
    const { app, api } = makeApp();
    const res = await app.request('/headers?from=1&count=5');
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toBe('application/octet-stream');
    const bytes = new Uint8Array(await res.arrayBuffer());
    expect(bytes.length).toBe(2 * 80); // heights 1 and 2: a short page is the tip
    expect(decodeHeader(bytes.subarray(80)).nonce).toBe(44);
    expect(api.calls).toEqual(['listHeaders(1,5)']);
    const hex = await (await app.request('/headers?count=1&format=hex')).text();
    expect(hex).toMatch(/^[0-9a-f]{160}$/);
    expect(api.calls.at(-1)).toBe('listHeaders(0,1)');
    expect((await (await app.request('/headers?from=9')).arrayBuffer()).byteLength).toBe(0);
    await app.request('/headers');
    expect(api.calls.at(-1)).toBe('listHeaders(0,2000)');
  });

  it.each(['from=-1', 'count=0', 'count=2001', 'count=x', 'format=json'])('rejects %s with a 400 problem', async (query) => {
    const { app, api } = makeApp();
    await expectProblem(await app.request(`/headers?${query}`), 400, 'invalid-request');
    expect(api.calls).toEqual([]);
  });
});
