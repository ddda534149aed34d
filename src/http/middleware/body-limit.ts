import type { MiddlewareHandler } from 'hono';
import { bodyLimit as honoBodyLimit } from 'hono/body-limit';
import { problems } from '../problem.js';

export const DEFAULT_BODY_LIMIT_BYTES = 1024 * 1024;

/** Caps request bodies (declared or streamed) before any route reads them: 413 problem beyond. */
export function bodyLimit(maxBytes = DEFAULT_BODY_LIMIT_BYTES): MiddlewareHandler {
  return honoBodyLimit({ maxSize: maxBytes, onError: () => problems.payloadTooLarge(maxBytes).toResponse() });
}
