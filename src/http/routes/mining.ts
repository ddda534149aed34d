import type { Hono, MiddlewareHandler } from 'hono';
import { parseJsonBody, setThreadsBody } from '../inputs.js';
import type { NodeApi } from '../node-api.js';

/** The miner's summary, and the control routes that steer it (behind `requireControl`). */
export function registerMiningRoutes(app: Hono, api: NodeApi, requireControl: MiddlewareHandler): void {
  app.get('/mining', async (c) => c.json(await api.mining()));

  // Each control route answers with the summary after the change, so a client sees its effect.
  app.post('/mining/pause', requireControl, async (c) => {
    await api.pauseMining();
    return c.json(await api.mining());
  });

  app.post('/mining/resume', requireControl, async (c) => {
    await api.resumeMining();
    return c.json(await api.mining());
  });

  app.put('/mining/threads', requireControl, async (c) => {
    const { threads } = await parseJsonBody(c, setThreadsBody);
    await api.setThreads(threads);
    return c.json(await api.mining());
  });
}
