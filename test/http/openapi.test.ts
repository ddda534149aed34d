import { describe, expect, it } from 'vitest';
import { ROUTES } from '../../src/http/openapi.js';
import { makeApp } from './make-app.js';

type Operation = { parameters: { name: string; in: string; required: boolean }[]; responses: Record<string, unknown>; security?: unknown; requestBody?: unknown };
type Document = { openapi: string; paths: Record<string, Record<string, Operation>> };

describe('GET /openapi.json', () => {
  it('describes exactly the routes the app serves', async () => {
    const { app } = makeApp();
    const doc = (await (await app.request('/openapi.json')).json()) as Document;
    expect(doc.openapi).toBe('3.1.0');
    const served = new Set(
      app.routes.filter((r) => r.method !== 'ALL').map((r) => `${r.method.toLowerCase()} ${r.path.replace(/:(\w+)/g, '{$1}')}`),
    );
    const documented = new Set(Object.entries(doc.paths).flatMap(([path, ops]) => Object.keys(ops).map((m) => `${m} ${path}`)));
    expect([...documented].sort()).toEqual([...served].sort());
    expect(documented.size).toBe(27);
  });

  it('declares path parameters, bodies, bearer security on control routes and problem responses', async () => {
    const { app } = makeApp();
    const doc = (await (await app.request('/openapi.json')).json()) as Document;
    const block = doc.paths['/blocks/{hashOrHeight}']!.get!;
    expect(block.parameters).toEqual([expect.objectContaining({ name: 'hashOrHeight', in: 'path', required: true })]);
    const blocks = doc.paths['/blocks']!.get!;
    expect(blocks.parameters.map((p) => [p.name, p.in, p.required])).toEqual([['from', 'query', false], ['limit', 'query', false]]);
    const submit = doc.paths['/txs']!.post!;
    expect(JSON.stringify(submit.requestBody)).toContain('"hex"');
    expect(Object.keys(submit.responses)).toEqual(expect.arrayContaining(['202', '400', '413', '422', '429', '500']));
    for (const route of ROUTES) {
      const op = doc.paths[route.path.replace(/:(\w+)/g, '{$1}')]![route.method]!;
      expect(op.security !== undefined, route.path).toBe(route.control === true);
    }
  });
});
