import type { MiddlewareHandler } from 'hono';
import { problems } from '../problem.js';

/** The methods that change something: a browser sends them cross-site without asking (a form, a fetch). */
export const STATE_CHANGING_METHODS: ReadonlySet<string> = new Set(['POST', 'PUT', 'PATCH', 'DELETE']);

/**
 * Refuses state-changing requests a browser sends on behalf of another site: `Sec-Fetch-Site`
 * other than same-origin (or none: typed by the user), or an `Origin` whose host and port are not
 * the ones the request is addressed to. Clients that are not browsers (the CLI, curl, scripts) send
 * neither header and pass; so does the node's own origin. 403 problem `cross-origin-request`.
 */
export function sameOrigin(): MiddlewareHandler {
  return async function sameOriginMiddleware(c, next) {
    if (!STATE_CHANGING_METHODS.has(c.req.method)) return next();
    const site = c.req.header('sec-fetch-site');
    if (site !== undefined && site !== 'same-origin' && site !== 'none') {
      throw problems.crossOrigin(`${c.req.method} from another site is refused (Sec-Fetch-Site: ${site.slice(0, 40)})`);
    }
    const origin = c.req.header('origin');
    if (origin !== undefined && authorityOf(origin) !== new URL(c.req.url).host) {
      throw problems.crossOrigin(`${c.req.method} from origin ${origin.slice(0, 100)} is refused: only this node's own origin may change its state`);
    }
    return next();
  };
}

/** `https://a.example:443` → `a.example`; undefined for `null` or anything that is not an origin. */
function authorityOf(origin: string): string | undefined {
  try {
    const url = new URL(origin);
    return url.protocol === 'http:' || url.protocol === 'https:' ? url.host : undefined;
  } catch {
    return undefined;
  }
}
