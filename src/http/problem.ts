/**
 * RFC 9457 problem details: every error the API returns is one of these, with a `type` URI that
 * stays stable so clients can switch on it, and a `detail` meant for people.
 */
export const PROBLEM_TYPE_BASE = 'https://carechain.dev/problems/';
export const PROBLEM_CONTENT_TYPE = 'application/problem+json';

export interface ProblemDetails {
  type: string;
  title: string;
  status: number;
  detail: string;
  [extension: string]: unknown;
}

/** Thrown anywhere under a route (including by a NodeApi implementation) to answer with a problem. */
export class HttpProblem extends Error {
  constructor(
    readonly status: number,
    /** The last segment of the problem `type`, e.g. `bad-signature`. */
    readonly slug: string,
    readonly title: string,
    readonly detail: string,
    /** Extension members (RFC 9457 §3.2), e.g. `errors` for validation failures. */
    readonly extensions: Record<string, unknown> = {},
    /** Extra response headers, e.g. Retry-After or WWW-Authenticate. */
    readonly headers: Record<string, string> = {},
  ) {
    super(detail);
    this.name = 'HttpProblem';
  }

  toJSON(): ProblemDetails {
    return { ...this.extensions, type: PROBLEM_TYPE_BASE + this.slug, title: this.title, status: this.status, detail: this.detail };
  }

  toResponse(): Response {
    return new Response(JSON.stringify(this.toJSON()), {
      status: this.status,
      headers: { 'content-type': PROBLEM_CONTENT_TYPE, ...this.headers },
    });
  }
}

/** The problems the API itself raises, so each slug has one title and one status everywhere. */
export const problems = {
  invalidRequest: (detail: string, errors: readonly { path: string; message: string }[] = []) =>
    new HttpProblem(400, 'invalid-request', 'Invalid request', detail, errors.length ? { errors } : {}),
  malformedJson: (detail: string) => new HttpProblem(400, 'malformed-json', 'Malformed JSON body', detail),
  unauthorized: (detail: string) =>
    new HttpProblem(401, 'unauthorized', 'Unauthorized', detail, {}, { 'www-authenticate': 'Bearer realm="carechain"' }),
  notFound: (detail: string) => new HttpProblem(404, 'not-found', 'Not found', detail),
  unknownRoute: (method: string, path: string) =>
    new HttpProblem(404, 'unknown-route', 'No such route', `${method} ${path} is not a route of this API (see /openapi.json)`),
  methodNotAllowed: (method: string, path: string, allowed: readonly string[]) =>
    new HttpProblem(405, 'method-not-allowed', 'Method not allowed', `${path} answers ${allowed.join(', ')}, not ${method}`, {}, { allow: allowed.join(', ') }),
  receiptPending: (txid: string) =>
    new HttpProblem(404, 'receipt-pending', 'Transaction not yet mined', `transaction ${txid} is in the mempool; a receipt exists once it is in a block`),
  payloadTooLarge: (limit: number) =>
    new HttpProblem(413, 'payload-too-large', 'Request body too large', `request bodies are limited to ${limit} bytes`),
  unsupportedMediaType: (expected: string) =>
    new HttpProblem(415, 'unsupported-media-type', 'Unsupported media type', `send the body as ${expected}`),
  crossOrigin: (detail: string) => new HttpProblem(403, 'cross-origin-request', 'Cross-origin request refused', detail),
  unknownHost: (host: string) =>
    new HttpProblem(421, 'unknown-host', 'Host not served',
      `the node listens on loopback and answers only Host localhost, 127.x.x.x or [::1], not "${host.slice(0, 100)}" (DNS rebinding guard)`),
  malformedRequest: (detail: string) => new HttpProblem(400, 'malformed-request', 'Malformed HTTP request', detail),
  headersTooLarge: () =>
    new HttpProblem(431, 'headers-too-large', 'Request headers too large', 'the request line and headers exceed the server\'s limit (16 KiB by default)'),
  requestTimeout: () =>
    new HttpProblem(408, 'request-timeout', 'Request timeout', 'the request did not arrive in full in time; the connection is closed'),
  rateLimited: (retryAfterSeconds: number) =>
    new HttpProblem(429, 'rate-limited', 'Too many requests', `too many requests from this address; retry in ${retryAfterSeconds} s`,
      { retryAfter: retryAfterSeconds }, { 'retry-after': String(retryAfterSeconds) }),
  internal: () =>
    new HttpProblem(500, 'internal-error', 'Internal error', 'the node failed to handle this request; it keeps running'),
};
