export { createApp, type AppOptions } from './app.js';
export { startHttpServer, type RunningHttpServer } from './server.js';
export { TX_REJECTION_STATUS, type Awaitable, type BlockId, type NodeApi, type SubmitOutcome } from './node-api.js';
export { HttpProblem, PROBLEM_CONTENT_TYPE, PROBLEM_TYPE_BASE, problems, type ProblemDetails } from './problem.js';
export { DEFAULT_RATE_LIMIT, type RateLimitOptions } from './middleware/rate-limit.js';
export { DEFAULT_BODY_LIMIT_BYTES } from './middleware/body-limit.js';
export { isLoopback } from './middleware/control-auth.js';
export { ROUTES, buildOpenApiDocument } from './openapi.js';
export type * from './views.js';
