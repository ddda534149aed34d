import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { problems } from '../problem.js';

/**
 * Guards the control routes (pause, resume, thread count). They need the bearer token when a
 * token is set, and whenever the node is reachable from other hosts; reachable without a token,
 * they stay shut rather than open to the network.
 */
export function controlAuth(options: { host: string; token?: string | undefined }): MiddlewareHandler {
  const required = options.token !== undefined || !isLoopback(options.host);
  const expected = options.token === undefined ? undefined : digest(options.token);
  return async function controlAuthMiddleware(c, next) {
    if (!required) return next();
    if (expected === undefined) {
      throw problems.unauthorized(`the node listens on ${options.host}, not loopback: start it with --token to enable control routes`);
    }
    const match = /^Bearer ([^\s]+)$/i.exec(c.req.header('authorization') ?? '');
    // Compare digests: equal lengths for timingSafeEqual, and no timing hint about the token.
    if (!match || !timingSafeEqual(digest(match[1]!), expected)) {
      throw problems.unauthorized('this route needs "Authorization: Bearer <token>" with the node\'s token');
    }
    return next();
  };
}

export function isLoopback(host: string): boolean {
  const bare = host.replace(/^\[|\]$/g, '').toLowerCase();
  return bare === 'localhost' || bare === '::1' || /^(::ffff:)?127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(bare);
}

function digest(text: string): Buffer {
  return createHash('sha256').update(text).digest();
}
