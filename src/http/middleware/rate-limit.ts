import type { Context, MiddlewareHandler } from 'hono';
import { problems } from '../problem.js';

export interface RateLimitOptions {
  /** Sustained requests per second allowed to one client address. */
  requestsPerSecond: number;
  /** Requests one address may make at once before the sustained rate applies. */
  burst: number;
  /** Paths never limited: the scraper and health checks must not lose to a flood from the same host. */
  exemptPaths?: readonly string[];
  /** How many addresses to remember; the least recently seen are forgotten first. */
  maxTrackedAddresses?: number;
}

export const DEFAULT_RATE_LIMIT: RateLimitOptions = {
  requestsPerSecond: 50,
  burst: 100,
  exemptPaths: ['/health', '/metrics'],
  maxTrackedAddresses: 10_000,
};

/** A token bucket per client address; an empty bucket answers 429 with Retry-After. */
export function rateLimit(
  options: RateLimitOptions,
  clientAddress: (c: Context) => string,
  now: () => number = Date.now,
): MiddlewareHandler {
  const buckets = new TokenBuckets(options, now);
  const exempt = new Set(options.exemptPaths ?? []);
  return async function rateLimitMiddleware(c, next) {
    if (exempt.has(c.req.path)) return next();
    const waitMs = buckets.take(clientAddress(c));
    if (waitMs > 0) return problems.rateLimited(Math.max(1, Math.ceil(waitMs / 1000))).toResponse();
    return next();
  };
}

class TokenBuckets {
  // A Map iterates in insertion order: re-inserting on each use keeps the stalest address first.
  readonly #buckets = new Map<string, { tokens: number; updatedMs: number }>();

  constructor(
    private readonly options: RateLimitOptions,
    private readonly now: () => number,
  ) {}

  /** Takes one token for `address`; returns 0, or how long until a token is due. */
  take(address: string): number {
    const { requestsPerSecond, burst } = this.options;
    const nowMs = this.now();
    const bucket = this.#buckets.get(address) ?? { tokens: burst, updatedMs: nowMs };
    this.#buckets.delete(address);
    bucket.tokens = Math.min(burst, bucket.tokens + ((nowMs - bucket.updatedMs) / 1000) * requestsPerSecond);
    bucket.updatedMs = nowMs;
    this.#buckets.set(address, bucket);
    this.#forgetStalest();
    if (bucket.tokens >= 1) {
      bucket.tokens -= 1;
      return 0;
    }
    return ((1 - bucket.tokens) / requestsPerSecond) * 1000;
  }

  #forgetStalest(): void {
    const max = this.options.maxTrackedAddresses ?? DEFAULT_RATE_LIMIT.maxTrackedAddresses!;
    for (const address of this.#buckets.keys()) {
      if (this.#buckets.size <= max) break;
      this.#buckets.delete(address);
    }
  }
}
