/**
 * Stratum's JSON-RPC 1.0 dialect: requests `{id, method, params}` (a notification has id null),
 * responses `{id, result, error}` with errors as `[code, message, null]`. Lines out are built as
 * strings, newline included, ready for socket.write.
 */
export type StratumId = number | string | null;

export interface StratumRequest {
  kind: 'request';
  id: StratumId;
  method: string;
  params: unknown[];
}

export interface StratumResponse {
  kind: 'response';
  id: StratumId;
  result: unknown;
  /** `[code, message, …]` as sent, or null. */
  error: unknown;
}

export type StratumMessage = StratumRequest | StratumResponse;

/** One line as a request or response, or the reason it is neither (the caller counts junk). */
export function parseMessage(line: string): StratumMessage | { kind: 'junk'; reason: string } {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch {
    return { kind: 'junk', reason: 'not JSON' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { kind: 'junk', reason: 'not a JSON object' };
  const o = value as Record<string, unknown>;
  const id = o.id === undefined ? null : o.id;
  if (id !== null && typeof id !== 'number' && typeof id !== 'string') return { kind: 'junk', reason: 'id is not a number or string' };
  if (typeof o.method === 'string') {
    const params = o.params === undefined || o.params === null ? [] : o.params;
    if (!Array.isArray(params)) return { kind: 'junk', reason: 'params is not an array' };
    return { kind: 'request', id, method: o.method, params };
  }
  if ('result' in o || 'error' in o) return { kind: 'response', id, result: o.result ?? null, error: o.error ?? null };
  return { kind: 'junk', reason: 'neither a request nor a response' };
}

export function resultLine(id: StratumId, result: unknown): string {
  return `{"id":${JSON.stringify(id)},"result":${JSON.stringify(result)},"error":null}\n`;
}

export function errorLine(id: StratumId, code: number, message: string): string {
  return `{"id":${JSON.stringify(id)},"result":null,"error":${JSON.stringify([code, message, null])}}\n`;
}

/** A server → client notification (id null), or a client → server request when `id` is given. */
export function requestLine(method: string, params: unknown[], id: StratumId = null): string {
  return `{"id":${JSON.stringify(id)},"method":${JSON.stringify(method)},"params":${JSON.stringify(params)}}\n`;
}

/** The error code and message of a response's error, however the server shaped it. */
export function describeError(error: unknown): { code: number | null; message: string } {
  if (Array.isArray(error)) return { code: typeof error[0] === 'number' ? error[0] : null, message: String(error[1] ?? 'error') };
  if (error && typeof error === 'object') {
    const o = error as Record<string, unknown>;
    return { code: typeof o.code === 'number' ? o.code : null, message: String(o.message ?? JSON.stringify(error)) };
  }
  return { code: null, message: String(error) };
}
