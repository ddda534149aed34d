import type { Context, MiddlewareHandler } from 'hono';
import { matchedRoutes } from 'hono/route';

export type RequestObserver = (method: string, route: string, status: number, seconds: number) => void;

/**
 * Times every request and reports it under its route pattern (`/blocks/:hashOrHeight`), never the
 * raw path, so the histogram keeps one series per route however clients spell their URLs.
 */
export function requestMetrics(observe: RequestObserver): MiddlewareHandler {
  return async function requestMetricsMiddleware(c, next) {
    const started = performance.now();
    try {
      await next();
    } finally {
      observe(c.req.method, routePattern(c), c.res.status, (performance.now() - started) / 1000);
    }
  };
}

/** The path of the route handler that matched, or `unmatched` when only middleware did (404). */
export function routePattern(c: Context): string {
  const routes = matchedRoutes(c).filter((route) => route.method !== 'ALL');
  return routes.at(-1)?.path ?? 'unmatched';
}
