import type { MiddlewareHandler } from 'hono';
import { problems } from '../problem.js';
import { STATE_CHANGING_METHODS } from './same-origin.js';

/**
 * A state-changing request that carries a body must say `Content-Type: application/json`: the
 * types a browser may send cross-site without a preflight (forms, text/plain) are refused with a
 * 415 problem before any route runs. A request without a body (Content-Length 0 or absent, no
 * Transfer-Encoding), such as `POST /mining/pause`, needs no type.
 */
export function jsonContentType(): MiddlewareHandler {
  return async function jsonContentTypeMiddleware(c, next) {
    if (!STATE_CHANGING_METHODS.has(c.req.method)) return next();
    const length = c.req.header('content-length');
    const hasBody = c.req.header('transfer-encoding') !== undefined || (length !== undefined && length.trim() !== '0');
    const mediaType = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (hasBody && mediaType !== 'application/json') throw problems.unsupportedMediaType('application/json');
    return next();
  };
}
