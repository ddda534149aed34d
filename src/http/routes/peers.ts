import type { Hono, MiddlewareHandler } from 'hono';
import { connectPeerBody, disconnectPeerQuery, parseJsonBody, parseParams, parseQuery, peerIdParams } from '../inputs.js';
import type { NodeApi } from '../node-api.js';

/** The peer list, and the control routes that connect, disconnect and ban peers (behind `requireControl`). */
export function registerPeerRoutes(app: Hono, api: NodeApi, requireControl: MiddlewareHandler): void {
  app.get('/peers', async (c) => c.json(await api.peers()));

  app.post('/peers', requireControl, async (c) => {
    const { addr } = await parseJsonBody(c, connectPeerBody);
    return c.json(await api.connectPeer(addr));
  });

  app.delete('/peers/:id', requireControl, async (c) => {
    const { id } = parseParams(c, peerIdParams);
    const { ban } = parseQuery(c, disconnectPeerQuery);
    return c.json(await api.disconnectPeer(id, ban));
  });
}
