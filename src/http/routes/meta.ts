import type { Hono } from 'hono';
import type { NodeApi } from '../node-api.js';
import { buildOpenApiDocument } from '../openapi.js';

/** Health, Prometheus metrics and the API's own description. */
export function registerMetaRoutes(app: Hono, api: NodeApi): void {
  // Liveness only: answering at all means the event loop is free; it asks the node nothing.
  app.get('/health', (c) => c.json({ status: 'ok' as const }));

  app.get('/metrics', async (c) => {
    const { contentType, body } = await api.metrics();
    return c.body(body, 200, { 'content-type': contentType });
  });

  let openApi: unknown;
  app.get('/openapi.json', (c) => c.json((openApi ??= buildOpenApiDocument())));
}
