import type { Hono } from 'hono';
import { hexToBytes, parseJsonBody, parseParams, submitTransactionBody, txidParams } from '../inputs.js';
import { TX_REJECTION_STATUS, type NodeApi } from '../node-api.js';
import { HttpProblem, problems } from '../problem.js';

/** Submitting transactions and looking them up, with their receipts. */
export function registerTransactionRoutes(app: Hono, api: NodeApi): void {
  app.post('/txs', async (c) => {
    const { hex } = await parseJsonBody(c, submitTransactionBody);
    const outcome = await api.submitTransaction(hexToBytes(hex));
    if (!outcome.accepted) {
      // A reason code becomes part of a URI: anything that is not a short slug is filed as `invalid`.
      const reason = /^[a-z0-9][a-z0-9-]{0,47}$/.test(outcome.reason) ? outcome.reason : 'invalid';
      const status = Object.hasOwn(TX_REJECTION_STATUS, reason) ? TX_REJECTION_STATUS[reason]! : 422;
      const headers: Record<string, string> = outcome.retryAfterSeconds !== undefined ? { 'retry-after': String(outcome.retryAfterSeconds) } : {};
      const title = reason === 'storage-unavailable' ? 'Storage unavailable' : 'Transaction rejected';
      throw new HttpProblem(status, reason, title, outcome.detail, { reason, ...outcome.extensions, ...(outcome.retryAfterSeconds !== undefined ? { retryAfter: outcome.retryAfterSeconds } : {}) }, headers);
    }
    // 202: accepted into the mempool, not yet in a block.
    return c.json({ txid: outcome.txid }, 202, { location: `/txs/${outcome.txid}` });
  });

  app.get('/txs/:txid', async (c) => {
    const { txid } = parseParams(c, txidParams);
    const found = await api.getTransaction(txid);
    if (!found) throw problems.notFound(`no transaction ${txid} in the best chain or the mempool`);
    return c.json(found);
  });

  app.get('/txs/:txid/receipt', async (c) => {
    const { txid } = parseParams(c, txidParams);
    const receipt = await api.getReceipt(txid);
    if (receipt) return c.json(receipt);
    if (await api.getTransaction(txid)) throw problems.receiptPending(txid);
    throw problems.notFound(`no transaction ${txid} in the best chain or the mempool`);
  });
}
