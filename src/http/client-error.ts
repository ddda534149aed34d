import { STATUS_CODES } from 'node:http';
import type { Duplex } from 'node:stream';
import { PROBLEM_CONTENT_TYPE, problems, type HttpProblem } from './problem.js';

/**
 * What Node's HTTP parser refuses before any route sees the request (a header block over the
 * limit, a bad request line, Content-Length with Transfer-Encoding, a request that does not arrive
 * in time), answered as problem+json on the raw socket when nothing has been sent on it yet, then
 * the connection closed. Node's own answer would be a bare status line.
 */
export function answerClientError(err: Error & { code?: string }, socket: Duplex, responseStarted: boolean): void {
  const problem = problemFor(err);
  if (problem && socket.writable && !responseStarted) socket.write(rawResponse(problem));
  socket.destroy();
}

/** The problem for a parser or timeout error; undefined for a connection that failed (nothing to answer). */
export function problemFor(err: Error & { code?: string }): HttpProblem | undefined {
  const code = err.code ?? '';
  if (code === 'HPE_HEADER_OVERFLOW') return problems.headersTooLarge();
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return problems.requestTimeout();
  if (code.startsWith('HPE_')) {
    return problems.malformedRequest(`the request could not be parsed (${code}: ${err.message.replace(/^Parse Error: /, '')})`);
  }
  return undefined; // ECONNRESET and the like: the peer is gone
}

/** A complete HTTP/1.1 response that closes the connection. */
export function rawResponse(problem: HttpProblem): string {
  const body = JSON.stringify(problem.toJSON());
  const headers = [
    `HTTP/1.1 ${problem.status} ${STATUS_CODES[problem.status] ?? 'Error'}`,
    `Content-Type: ${PROBLEM_CONTENT_TYPE}`,
    `Content-Length: ${Buffer.byteLength(body)}`,
    ...Object.entries(problem.headers).map(([name, value]) => `${name}: ${value}`),
    'Connection: close',
  ];
  return `${headers.join('\r\n')}\r\n\r\n${body}`;
}
