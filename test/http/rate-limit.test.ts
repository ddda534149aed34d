import { describe, expect, it } from 'vitest';
import { makeApp } from './make-app.js';
import { expectProblem } from './problem-assertions.js';

/** An app whose rate limiter reads a clock and a client address the test controls. */
function limitedApp(options: { requestsPerSecond: number; burst: number; maxTrackedAddresses?: number }) {
  const clock = { ms: 0, address: '10.0.0.1' };
  const { app, api } = makeApp({
    rateLimit: { ...options, exemptPaths: ['/health', '/metrics'] },
    clientAddress: () => clock.address,
    now: () => clock.ms,
  });
  return { app, api, clock };
}

describe('per-address rate limit', () => {
  it('allows a burst, then answers 429 with Retry-After until tokens refill', async () => {
    const { app, clock } = limitedApp({ requestsPerSecond: 2, burst: 3 });
    for (let i = 0; i < 3; i++) expect((await app.request('/status')).status).toBe(200);
    const refused = await app.request('/status');
    const body = await expectProblem(refused, 429, 'rate-limited');
    expect(refused.headers.get('retry-after')).toBe('1');
    expect(body.retryAfter).toBe(1);
    clock.ms += 499;
    expect((await app.request('/status')).status).toBe(429);
    clock.ms += 1; // half a second at 2/s is one token
    expect((await app.request('/status')).status).toBe(200);
    expect((await app.request('/status')).status).toBe(429);
  });

  it('says how long to wait when the rate is slow', async () => {
    const { app } = limitedApp({ requestsPerSecond: 0.1, burst: 1 });
    await app.request('/status');
    expect((await app.request('/status')).headers.get('retry-after')).toBe('10');
  });

  it('keeps addresses apart', async () => {
    const { app, clock } = limitedApp({ requestsPerSecond: 1, burst: 1 });
    expect((await app.request('/status')).status).toBe(200);
    expect((await app.request('/status')).status).toBe(429);
    clock.address = '10.0.0.2';
    expect((await app.request('/status')).status).toBe(200);
  });

  it('never limits /health and /metrics, and a refused request reaches no node method', async () => {
    const { app, api } = limitedApp({ requestsPerSecond: 1, burst: 1 });
    await app.request('/mempool');
    api.calls.length = 0;
    for (let i = 0; i < 5; i++) {
      expect((await app.request('/health')).status).toBe(200);
      expect((await app.request('/metrics')).status).toBe(200);
    }
    expect((await app.request('/mempool')).status).toBe(429);
    expect(api.calls).toEqual(Array(5).fill('metrics'));
  });

  it('forgets the stalest addresses beyond its memory bound (a flood of addresses cannot exhaust memory)', async () => {
    const { app, clock } = limitedApp({ requestsPerSecond: 1, burst: 1, maxTrackedAddresses: 2 });
    await app.request('/status'); // 10.0.0.1 spends its only token
    clock.address = '10.0.0.2';
    await app.request('/status');
    clock.address = '10.0.0.3';
    await app.request('/status'); // pushes 10.0.0.1 out
    clock.address = '10.0.0.1';
    expect((await app.request('/status')).status).toBe(200);
  });

  it('is on by default', async () => {
    const { app } = makeApp({ rateLimit: undefined, clientAddress: () => 'x' });
    const statuses = [];
    for (let i = 0; i < 120; i++) statuses.push((await app.request('/health', { method: 'GET' })).status, (await app.request('/mempool')).status);
    expect(statuses).toContain(429);
  });
});
