import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { bodyLimit, DEFAULT_BODY_LIMIT_BYTES } from './middleware/body-limit.js';
import { catchAll, problemOnError } from './middleware/catch-all.js';
import { controlAuth, isLoopback } from './middleware/control-auth.js';
import { jsonContentType } from './middleware/json-content-type.js';
import { loopbackHost } from './middleware/loopback-host.js';
import { DEFAULT_RATE_LIMIT, rateLimit, type RateLimitOptions } from './middleware/rate-limit.js';
import { requestMetrics, type RequestObserver } from './middleware/request-metrics.js';
import { sameOrigin } from './middleware/same-origin.js';
import type { NodeApi } from './node-api.js';
import { ROUTES } from './openapi.js';
import { problems } from './problem.js';
import { registerChainRoutes } from './routes/chain.js';
import { registerConsentRoutes } from './routes/consents.js';
import { registerLedgerRoutes } from './routes/ledger.js';
import { registerMetaRoutes } from './routes/meta.js';
import { registerMiningRoutes } from './routes/mining.js';
import { registerStratumRoutes } from './routes/stratum.js';
import { registerPeerRoutes } from './routes/peers.js';
import { registerTransactionRoutes } from './routes/transactions.js';

export interface AppOptions {
  api: NodeApi;
  /** The address the server binds to: off loopback, control routes need a token. */
  host: string;
  /** Bearer token for the control routes; when set it is always required. */
  token?: string | undefined;
  /** Request body cap in bytes (default 1 MiB). */
  bodyLimitBytes?: number;
  /** Per-address limit, or false for none (e.g. a benchmark run). */
  rateLimit?: RateLimitOptions | false;
  /** Called once per request with its route pattern; pass NodeMetrics.httpRequest. */
  observeRequest?: RequestObserver;
  /** The client's address for rate limiting; defaults to the socket's remote address. */
  clientAddress?: (c: Context) => string;
  /** Clock in ms, for the rate limiter. */
  now?: () => number;
  /** Unexpected errors (500s), for the node's log. */
  onInternalError?: (err: unknown) => void;
}

/** The node's HTTP API as a Hono app (serve it with startHttpServer, or call app.request in tests). */
export function createApp(options: AppOptions): Hono {
  const app = new Hono();
  const onInternalError = options.onInternalError ?? ((err: unknown) => console.error('http: internal error', err));

  // Order matters: metrics see the final status, so they wrap the catch-all that sets it.
  if (options.observeRequest) app.use('*', requestMetrics(options.observeRequest));
  app.use('*', catchAll(onInternalError));
  // Requests a browser sends for another site are refused before they cost anything (DNS rebinding, CSRF).
  if (isLoopback(options.host)) app.use('*', loopbackHost());
  app.use('*', sameOrigin());
  app.use('*', jsonContentType());
  if (options.rateLimit !== false) {
    app.use('*', rateLimit(options.rateLimit ?? DEFAULT_RATE_LIMIT, options.clientAddress ?? socketAddress, options.now));
  }
  app.use('*', bodyLimit(options.bodyLimitBytes ?? DEFAULT_BODY_LIMIT_BYTES));

  registerMetaRoutes(app, options.api);
  registerChainRoutes(app, options.api);
  registerTransactionRoutes(app, options.api);
  registerLedgerRoutes(app, options.api);
  registerConsentRoutes(app, options.api);
  const requireControl = controlAuth({ host: options.host, token: options.token });
  registerMiningRoutes(app, options.api, requireControl);
  registerPeerRoutes(app, options.api, requireControl);
  registerStratumRoutes(app, options.api);

  // A known path asked with another method is a 405 naming the methods it has (RFC 9110 §15.5.6).
  app.notFound((c) => {
    const allowed = methodsFor(c.req.path);
    const problem = allowed.length ? problems.methodNotAllowed(c.req.method, c.req.path, allowed) : problems.unknownRoute(c.req.method, c.req.path);
    return problem.toResponse();
  });
  app.onError(problemOnError(onInternalError));
  return app;
}

const ROUTE_PATTERNS = ROUTES.map((route) => ({
  method: route.method.toUpperCase(),
  pattern: new RegExp(`^${route.path.replace(/:\w+/g, '[^/]+')}$`),
}));

/** The methods ROUTES serves at this path (empty when the path is no route at all). */
function methodsFor(path: string): string[] {
  return [...new Set(ROUTE_PATTERNS.filter((r) => r.pattern.test(path)).map((r) => r.method))];
}

function socketAddress(c: Context): string {
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    return 'unknown'; // not behind @hono/node-server (e.g. app.request in tests)
  }
}
