import type { Context, ErrorHandler, MiddlewareHandler } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { HttpProblem, problems } from '../problem.js';

/**
 * Turns anything a route throws into a problem response, so no request can take the node down.
 * Hono hands thrown Errors to app.onError (`problemOnError`); values that are not Errors skip it and
 * reach this middleware, which runs outermost.
 */
export function catchAll(onInternalError: (err: unknown) => void): MiddlewareHandler {
  return async function catchAllMiddleware(c, next) {
    try {
      await next();
    } catch (err) {
      c.res = toProblem(err, onInternalError).toResponse();
    }
  };
}

export function problemOnError(onInternalError: (err: unknown) => void): ErrorHandler {
  return (err: unknown, _c: Context) => toProblem(err, onInternalError).toResponse();
}

function toProblem(err: unknown, onInternalError: (err: unknown) => void): HttpProblem {
  if (err instanceof HttpProblem) return err;
  if (err instanceof HTTPException && err.status < 500) {
    // Hono's own client errors (e.g. from a built-in middleware) keep their status.
    return new HttpProblem(err.status, 'http-error', 'Request refused', err.message || `status ${err.status}`);
  }
  onInternalError(err);
  return problems.internal();
}
