import type { Hono } from 'hono';
import type { NodeApi } from '../node-api.js';

/** The Stratum server's sessions: who mines here, at what difficulty, with what result. */
export function registerStratumRoutes(app: Hono, api: NodeApi): void {
  app.get('/stratum', async (c) => c.json(await api.stratum()));
}
