import { describe, expect, it } from 'vitest';
import { miningSummaryView } from '../../src/http/response-schemas.js';
import { HttpProblem } from '../../src/http/problem.js';
import { json, makeApp } from './make-app.js';
import { expectProblem } from './problem-assertions.js';

const bearer = (token: string) => ({ authorization: `Bearer ${token}` });

describe('GET /mining', () => {
  it('returns the xmrig-style summary, open to anyone', async () => {
    const { app } = makeApp({ host: '0.0.0.0', token: 's3cret' });
    const summary = miningSummaryView.parse(await (await app.request('/mining')).json());
    expect(summary).toMatchObject({ paused: false, threads: 2, hashrate: { total: [1.5e7, null, null] } });
  });
});

describe('control routes on loopback without a token', () => {
  it('pause and resume the miner and answer with the new summary', async () => {
    const { app, api } = makeApp();
    const paused = miningSummaryView.parse(await (await app.request('/mining/pause', { method: 'POST' })).json());
    expect(paused.paused).toBe(true);
    const resumed = miningSummaryView.parse(await (await app.request('/mining/resume', { method: 'POST' })).json());
    expect(resumed.paused).toBe(false);
    expect(api.calls).toEqual(['pauseMining', 'mining', 'resumeMining', 'mining']);
  });

  it('set the thread count', async () => {
    const { app, api } = makeApp();
    const res = await app.request('/mining/threads', json({ threads: 1 }, { method: 'PUT' }));
    expect(miningSummaryView.parse(await res.json()).threads).toBe(1);
    expect(api.calls).toContain('setThreads(1)');
  });

  it.each([{ threads: 0 }, { threads: 1.5 }, { threads: '2' }, {}])('reject thread count %j', async (body) => {
    const { app, api } = makeApp();
    await expectProblem(await app.request('/mining/threads', json(body, { method: 'PUT' })), 400, 'invalid-request');
    expect(api.threads).toBe(2);
  });

  it('pass on a problem the node raises', async () => {
    const { app, api } = makeApp();
    api.setThreads = () => {
      throw new HttpProblem(422, 'too-many-threads', 'Too many threads', 'this machine has 2 cores');
    };
    await expectProblem(await app.request('/mining/threads', json({ threads: 64 }, { method: 'PUT' })), 422, 'too-many-threads');
  });

  it('answer 405 with Allow to the wrong method, and do nothing', async () => {
    const { app, api } = makeApp();
    const res = await app.request('/mining/pause');
    expect(res.headers.get('allow')).toBe('POST');
    await expectProblem(res, 405, 'method-not-allowed');
    expect(api.paused).toBe(false);
  });
});

describe('control routes need the bearer token', () => {
  const routes: [string, RequestInit][] = [
    ['/mining/pause', { method: 'POST' }],
    ['/mining/resume', { method: 'POST' }],
    ['/mining/threads', json({ threads: 1 }, { method: 'PUT' })],
  ];

  it.each(routes)('%s: 401 without or with a wrong token whenever a token is set, even on loopback', async (path, init) => {
    for (const host of ['127.0.0.1', '0.0.0.0']) {
      const { app, api } = makeApp({ host, token: 's3cret' });
      const res = await app.request(path, init);
      await expectProblem(res, 401, 'unauthorized');
      expect(res.headers.get('www-authenticate')).toMatch(/^Bearer/);
      await expectProblem(await app.request(path, { ...init, headers: { ...init.headers, ...bearer('s3cre') } }), 401, 'unauthorized');
      await expectProblem(await app.request(path, { ...init, headers: { ...init.headers, authorization: 's3cret' } }), 401, 'unauthorized');
      expect(api.calls).toEqual([]);
    }
  });

  it.each(routes)('%s: allowed with the right token', async (path, init) => {
    const { app } = makeApp({ host: '0.0.0.0', token: 's3cret' });
    const res = await app.request(path, { ...init, headers: { ...init.headers, ...bearer('s3cret') } });
    expect(res.status).toBe(200);
  });

  it.each(['0.0.0.0', '::', '192.168.1.5', 'node.example'])('stay shut when bound to %s without a token', async (host) => {
    const { app, api } = makeApp({ host });
    const body = await expectProblem(await app.request('/mining/pause', { method: 'POST' }), 401, 'unauthorized');
    expect(body.detail).toMatch(/--token/);
    expect(api.paused).toBe(false);
  });

  it.each(['127.0.0.1', '127.1.2.3', 'localhost', '::1', '[::1]'])('are open on loopback %s without a token', async (host) => {
    const { app } = makeApp({ host });
    expect((await app.request('/mining/pause', { method: 'POST' })).status).toBe(200);
  });
});
