import { describe, expect, it } from 'vitest';
import { receiptView, submittedView, transactionLookupView } from '../../src/http/response-schemas.js';
import { h } from './fake-node-api.js';
import { json, makeApp } from './make-app.js';
import { expectProblem } from './problem-assertions.js';

describe('POST /txs', () => {
  it('hands the decoded bytes to the node and answers 202 with the txid', async () => {
    const { app, api } = makeApp();
    const res = await app.request('/txs', json({ hex: '00FFa0' }));
    expect(res.status).toBe(202);
    expect(submittedView.parse(await res.json())).toEqual({ txid: h(0xd001) });
    expect(res.headers.get('location')).toBe(`/txs/${h(0xd001)}`);
    expect([...api.submitted[0]!]).toEqual([0x00, 0xff, 0xa0]);
  });

  it.each<[string, number]>([
    ['bad-signature', 422],
    ['bad-sequence', 422],
    ['insufficient-funds', 422],
    ['not-record-owner', 422],
    ['duplicate', 409],
    ['already-in-mempool', 409],
    ['already-mined', 409],
    ['mempool-full', 503],
    ['mempool-min-fee', 422],
    ['malformed', 400],
    ['malformed-tx', 400],
  ])('turns a %s rejection into a typed problem with status %i', async (reason, status) => {
    const { app, api } = makeApp();
    api.nextSubmit = { accepted: false, reason, detail: `because ${reason}` };
    const body = await expectProblem(await app.request('/txs', json({ hex: 'ab' })), status, reason);
    expect(body).toMatchObject({ reason, detail: `because ${reason}`, title: 'Transaction rejected' });
  });

  it('answers 503 storage-unavailable with Retry-After when the node could not write the transaction to disk', async () => {
    const { app, api } = makeApp();
    api.nextSubmit = { accepted: false, reason: 'storage-unavailable', detail: 'the disk is full', retryAfterSeconds: 5 };
    const res = await app.request('/txs', json({ hex: 'ab' }));
    expect(res.headers.get('retry-after')).toBe('5');
    const body = await expectProblem(res, 503, 'storage-unavailable');
    expect(body).toMatchObject({ title: 'Storage unavailable', retryAfter: 5, detail: 'the disk is full' });
  });

  it('answers 422 mempool-min-fee with the fee rate the node asks for now', async () => {
    const { app, api } = makeApp();
    api.nextSubmit = { accepted: false, reason: 'mempool-min-fee', detail: 'below the minimum', extensions: { minFeeRate: 7.25 } };
    const body = await expectProblem(await app.request('/txs', json({ hex: 'ab' })), 422, 'mempool-min-fee');
    expect(body).toMatchObject({ minFeeRate: 7.25, reason: 'mempool-min-fee' });
  });

  it('files a reason that is not a short slug under "invalid", so it never shapes a problem type', async () => {
    const { app, api } = makeApp();
    api.nextSubmit = { accepted: false, reason: 'Signature failed for key 0x12/../', detail: 'new rule' };
    const body = await expectProblem(await app.request('/txs', json({ hex: 'ab' })), 422, 'invalid');
    expect(body.reason).toBe('invalid');
  });

  it.each([
    ['bad hex', { hex: 'zz' }],
    ['odd-length hex', { hex: 'abc' }],
    ['empty hex', { hex: '' }],
    ['a number', { hex: 12 }],
    ['a missing field', {}],
    ['an unknown field', { hex: 'ab', raw: 'ab' }],
    ['an array', ['ab']],
    ['null', null],
  ])('rejects %s with 400 invalid-request, without bothering the node', async (_what, body) => {
    const { app, api } = makeApp();
    await expectProblem(await app.request('/txs', json(body)), 400, 'invalid-request');
    expect(api.calls).toEqual([]);
  });

  it('rejects malformed JSON with 400 and a body of another type with 415', async () => {
    const { app, api } = makeApp();
    await expectProblem(await app.request('/txs', json('{"hex": "ab"')), 400, 'malformed-json');
    await expectProblem(await app.request('/txs', { method: 'POST', body: 'ab', headers: { 'content-type': 'text/plain' } }), 415, 'unsupported-media-type');
    await expectProblem(await app.request('/txs', { method: 'POST', body: '{"hex":"ab"}' }), 415, 'unsupported-media-type');
    expect(api.calls).toEqual([]);
  });

  it('accepts a JSON media type with parameters', async () => {
    const { app } = makeApp();
    const res = await app.request('/txs', json({ hex: 'ab' }, { headers: { 'content-type': 'application/json; charset=utf-8' } }));
    expect(res.status).toBe(202);
  });
});

describe('GET /txs/:txid and /txs/:txid/receipt', () => {
  it('returns a mined transaction with its block, and a pending one without', async () => {
    const { app } = makeApp();
    const mined = transactionLookupView.parse(await (await app.request(`/txs/${h(0xc001)}`)).json());
    expect(mined).toMatchObject({ block: { height: 1 }, confirmations: 2 });
    const pending = transactionLookupView.parse(await (await app.request(`/txs/${h(0xd000).toUpperCase()}`)).json());
    expect(pending).toMatchObject({ block: null, confirmations: 0, tx: { kind: 'transfer', amount: 5 } });
  });

  it('answers 404 for an unknown txid and 400 for one that is not 64 hex digits', async () => {
    const { app } = makeApp();
    await expectProblem(await app.request(`/txs/${h(0x99)}`), 404, 'not-found');
    await expectProblem(await app.request('/txs/abc'), 400, 'invalid-request');
  });

  it('returns a receipt for a mined transaction only', async () => {
    const { app } = makeApp();
    const receipt = receiptView.parse(await (await app.request(`/txs/${h(0xc001)}/receipt`)).json());
    expect(receipt).toMatchObject({ version: 2, txid: h(0xc001), blockHash: h(0xb001), height: 1, index: 1, txCount: 2, confirmations: 2 });
    expect(receipt.headers).toHaveLength(1);
    await expectProblem(await app.request(`/txs/${h(0xd000)}/receipt`), 404, 'receipt-pending');
    await expectProblem(await app.request(`/txs/${h(0x99)}/receipt`), 404, 'not-found');
    await expectProblem(await app.request('/txs/xyz/receipt'), 400, 'invalid-request');
  });
});
