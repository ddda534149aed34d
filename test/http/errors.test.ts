import { describe, expect, it } from 'vitest';
import { json, makeApp } from './make-app.js';
import { expectProblem } from './problem-assertions.js';

describe('unknown routes', () => {
  it.each(['/', '/nope', '/blocks/1/raw/extra', '/txs/', '/../etc/passwd'])('%s is a 404 problem', async (path) => {
    const { app } = makeApp();
    const body = await expectProblem(await app.request(path), 404, 'unknown-route');
    expect(body.detail).toMatch(/^GET /);
  });
});

describe('known paths with another method', () => {
  it.each([
    ['DELETE', '/txs', 'POST'],
    ['POST', '/status', 'GET'],
    ['POST', '/blocks/5', 'GET'],
    ['GET', '/mining/threads', 'PUT'],
  ])('%s %s is a 405 problem allowing %s', async (method, path, allow) => {
    const { app } = makeApp();
    const res = await app.request(path, { method });
    expect(res.headers.get('allow')).toBe(allow);
    const body = await expectProblem(res, 405, 'method-not-allowed');
    expect(body.detail).toContain(method);
  });
});

describe('hostile paths and queries', () => {
  it.each(['/txs/%E0%A4%A', '/blocks/%ff', '/subjects/%/records', '/accounts/%zz', '/blocks?from=%ff', '/blocks/1%00'])(
    '%s is a 400 problem, not a crash',
    async (path) => {
      const { app, internalErrors } = makeApp();
      await expectProblem(await app.request(path), 400, 'invalid-request');
      expect(internalErrors).toEqual([]);
    },
  );
});

describe('request body cap', () => {
  it('refuses a declared body over the limit with 413 before the node sees it', async () => {
    const { app, api } = makeApp({ bodyLimitBytes: 1000 });
    const body = JSON.stringify({ hex: 'ab'.repeat(600) });
    await expectProblem(await app.request('/txs', json(body, { headers: { 'content-length': String(body.length) } })), 413, 'payload-too-large');
    expect(api.calls).toEqual([]);
  });

  it('refuses a streamed body (no Content-Length) once it passes the limit', async () => {
    const { app, api } = makeApp({ bodyLimitBytes: 1000 });
    const chunk = new TextEncoder().encode('a'.repeat(400));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 5) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await app.request('/txs', {
      method: 'POST',
      body: stream,
      headers: { 'content-type': 'application/json', 'transfer-encoding': 'chunked' },
      duplex: 'half',
    } as RequestInit);
    await expectProblem(res, 413, 'payload-too-large');
    expect(api.calls).toEqual([]);
  });

  it('defaults to 1 MiB', async () => {
    const { app } = makeApp();
    const under = JSON.stringify({ hex: 'ab'.repeat(500_000) });
    expect((await app.request('/txs', json(under))).status).toBe(202);
    const over = JSON.stringify({ hex: 'ab'.repeat(530_000) });
    await expectProblem(await app.request('/txs', json(over)), 413, 'payload-too-large');
  });
});

describe('a failing node', () => {
  it.each([
    ['an Error', new Error('disk on fire')],
    ['a string', 'not an Error'],
    ['undefined-like null', null],
  ])('answers 500 when the node throws %s, keeps no secrets, and reports it', async (_what, thrown) => {
    const { app, api, internalErrors } = makeApp();
    api.failWith = thrown;
    const body = await expectProblem(await app.request('/status'), 500, 'internal-error');
    expect(JSON.stringify(body)).not.toContain('disk on fire');
    expect(internalErrors).toEqual([thrown]);
    api.failWith = undefined;
    expect((await app.request('/status')).status).toBe(200);
  });

  it('answers 500 when a rejected promise comes back', async () => {
    const { app, api, internalErrors } = makeApp();
    api.getBlock = () => Promise.reject(new TypeError('boom'));
    await expectProblem(await app.request('/blocks/1'), 500, 'internal-error');
    expect(internalErrors).toHaveLength(1);
  });
});
