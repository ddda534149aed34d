import { describe, expect, it } from 'vitest';
import { stratumView } from '../../src/http/response-schemas.js';
import { makeApp } from './make-app.js';

describe('GET /stratum', () => {
  it('lists the Stratum sessions with their difficulty, shares and estimated hash rate, open to anyone', async () => {
    const { app, api } = makeApp({ host: '0.0.0.0', token: 's3cret' });
    const res = await app.request('/stratum');
    expect(res.status).toBe(200);
    const view = stratumView.parse(await res.json());
    expect(view).toMatchObject({ enabled: true, url: 'stratum+tcp://127.0.0.1:3333' });
    expect(view.sessions).toEqual([expect.objectContaining({ address: '127.0.0.1', difficulty: 0.5, sharesAccepted: 4, sharesRejected: 1, userAgent: 'cpuminer/2.5.1' })]);
    expect(api.calls).toEqual(['stratum']);
  });
});
