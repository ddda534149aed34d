import { describe, expect, it } from 'vitest';
import { accountView, mempoolView, recordView, subjectTrailView } from '../../src/http/response-schemas.js';
import { h } from './fake-node-api.js';
import { makeApp } from './make-app.js';
import { expectProblem } from './problem-assertions.js';

describe('GET /mempool', () => {
  it('lists waiting transactions', async () => {
    const { app } = makeApp();
    const mempool = mempoolView.parse(await (await app.request('/mempool')).json());
    expect(mempool.entries.map((e) => e.txid)).toEqual([h(0xd000)]);
  });
});

describe('GET /accounts/:key', () => {
  it('returns balance and sequence, 404 for an unseen key, 400 for a malformed one', async () => {
    const { app } = makeApp();
    expect(accountView.parse(await (await app.request(`/accounts/${h(0xa1)}`)).json())).toEqual({ key: h(0xa1), balance: 5000, spendable: 4000, immature: 1000, sequence: 3, pendingSequence: 4 });
    await expectProblem(await app.request(`/accounts/${h(0xa2)}`), 404, 'not-found');
    await expectProblem(await app.request('/accounts/not-a-key'), 400, 'invalid-request');
  });
});

describe('GET /records/:txid', () => {
  it('returns the anchor, 404 for a txid that anchors nothing', async () => {
    const { app } = makeApp();
    const record = recordView.parse(await (await app.request(`/records/${h(0xc002)}`)).json());
    expect(record).toMatchObject({ resourceType: 'Observation', previous: { txid: h(0xc001), relation: 'appends' } });
    await expectProblem(await app.request(`/records/${h(0xc009)}`), 404, 'not-found');
    await expectProblem(await app.request('/records/%00'), 400, 'invalid-request');
  });
});

describe('GET /subjects/:pseudonym/records', () => {
  it('returns the audit trail in the order the node gives (oldest first), or an empty one', async () => {
    const { app } = makeApp();
    const trail = subjectTrailView.parse(await (await app.request(`/subjects/${h(0x5b).toUpperCase()}/records`)).json());
    expect(trail.subject).toBe(h(0x5b));
    expect(trail.trail.map((e) => [e.txid, e.kind])).toEqual([[h(0xc001), 'record'], [h(0xc002), 'amendment']]);
    const none = subjectTrailView.parse(await (await app.request(`/subjects/${h(0x5c)}/records`)).json());
    expect(none.trail).toEqual([]);
    await expectProblem(await app.request('/subjects/patient-john-doe/records'), 400, 'invalid-request');
  });
});
