import { Hono } from 'hono';
import { catchAll, problemOnError } from './middleware/catch-all.js';
import { problems } from './problem.js';
import type { MinerStatus, MiningSummary } from './response-schemas.js';

/** What `carechain mine --http-port` serves: the same shapes as the node's /mining and /metrics, and its own /status. */
export interface MinerApi {
  status(): MinerStatus;
  mining(): MiningSummary;
  metrics(): Promise<{ contentType: string; body: string }>;
}

/** A read-only Hono app for one miner process; errors are problem+json as on the node. */
export function createMinerApp(api: MinerApi, onInternalError: (err: unknown) => void = () => {}): Hono {
  const app = new Hono();
  app.use('*', catchAll(onInternalError));
  app.get('/health', (c) => c.json({ status: 'ok' as const }));
  app.get('/status', (c) => c.json(api.status()));
  app.get('/mining', (c) => c.json(api.mining()));
  app.get('/metrics', async (c) => {
    const { contentType, body } = await api.metrics();
    return c.body(body, 200, { 'content-type': contentType });
  });
  app.notFound((c) => problems.unknownRoute(c.req.method, c.req.path).toResponse());
  app.onError(problemOnError(onInternalError));
  return app;
}
