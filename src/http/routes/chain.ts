import type { Hono } from 'hono';
import { blockIdParams, blocksQuery, headersQuery, MAX_HEADERS_PER_PAGE, parseBlockId, parseParams, parseQuery, rawBlockParams, rawBlockQuery } from '../inputs.js';
import type { NodeApi } from '../node-api.js';
import { problems } from '../problem.js';
import type { BlockPage } from '../response-schemas.js';

const DEFAULT_PAGE = 20;

/** The node summary and the blocks of the best chain. */
export function registerChainRoutes(app: Hono, api: NodeApi): void {
  app.get('/status', async (c) => c.json(await api.status()));

  app.get('/blocks', async (c) => {
    const query = parseQuery(c, blocksQuery);
    const limit = query.limit ?? DEFAULT_PAGE;
    const { height: tipHeight } = await api.status();
    // Without `from`, the page ends at the tip: what a person looking at a node wants first.
    const from = query.from ?? Math.max(0, tipHeight - limit + 1);
    const page: BlockPage = { tipHeight, blocks: from > tipHeight ? [] : await api.listBlocks(from, limit) };
    return c.json(page);
  });

  app.get('/blocks/:hashOrHeight', async (c) => {
    const { hashOrHeight } = parseParams(c, blockIdParams);
    const block = await api.getBlock(parseBlockId(hashOrHeight));
    if (!block) throw problems.notFound(`no block ${hashOrHeight} on the best chain`);
    return c.json(block);
  });

  app.get('/blocks/:id/raw', async (c) => {
    const { id } = parseParams(c, rawBlockParams);
    const { format } = parseQuery(c, rawBlockQuery);
    const raw = await api.getRawBlock(parseBlockId(id));
    if (!raw) throw problems.notFound(`no block ${id} on the best chain`);
    if (format === 'hex') return c.text(Buffer.from(raw).toString('hex'));
    return c.body(new Uint8Array(raw), 200, { 'content-type': 'application/octet-stream' });
  });

  // Raw headers, paged: what `carechain headers export` and `verify --node` read. A short page
  // (or an empty one past the tip) is the end of the chain.
  app.get('/headers', async (c) => {
    const { from = 0, count = MAX_HEADERS_PER_PAGE, format } = parseQuery(c, headersQuery);
    const raw = await api.listHeaders(from, count);
    if (format === 'hex') return c.text(Buffer.from(raw).toString('hex'));
    return c.body(new Uint8Array(raw), 200, { 'content-type': 'application/octet-stream' });
  });
}
