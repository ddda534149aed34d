import { createApp, type AppOptions } from '../../src/http/app.js';
import { FakeNodeApi } from './fake-node-api.js';

/** An app over a fresh fake node, on loopback, without rate limiting unless asked for. */
export function makeApp(options: Partial<AppOptions> = {}) {
  const api = options.api instanceof FakeNodeApi ? options.api : new FakeNodeApi();
  const internalErrors: unknown[] = [];
  const app = createApp({
    host: '127.0.0.1',
    rateLimit: false,
    onInternalError: (err) => internalErrors.push(err),
    ...options,
    api,
  });
  return { app, api, internalErrors };
}

export const json = (body: unknown, init: RequestInit = {}): RequestInit => ({
  ...init,
  method: init.method ?? 'POST',
  headers: { 'content-type': 'application/json', ...(init.headers as Record<string, string> | undefined) },
  body: typeof body === 'string' ? body : JSON.stringify(body),
});
