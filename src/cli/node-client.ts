import { decodeHeader, headerHash, HEADER_BYTES, type BlockHeader } from '../chain/header.js';
import { bytesEqual } from '../chain/hash.js';
import { MAX_HEADERS_PER_PAGE } from '../http/inputs.js';
import { CliError } from './errors.js';

export const DEFAULT_NODE_URL = 'http://127.0.0.1:8080';

/** A problem+json answer from the node, as a one-line CLI error that still carries its type. */
export class NodeProblem extends CliError {
  constructor(
    readonly status: number,
    /** The last segment of the problem type, e.g. `bad-sequence`. */
    readonly slug: string,
    message: string,
  ) {
    super(message, 1);
    this.name = 'NodeProblem';
  }
}

/** The few HTTP calls the CLI clients make, with every failure turned into one line. */
export class NodeClient {
  readonly base: string;

  constructor(url: string = DEFAULT_NODE_URL) {
    let parsed: URL;
    try {
      parsed = new URL(url);
    } catch {
      throw new CliError(`--node must be a URL such as ${DEFAULT_NODE_URL}, got "${url}"`);
    }
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') throw new CliError(`--node must be an http(s) URL, got "${url}"`);
    this.base = parsed.href.replace(/\/+$/, '');
  }

  get<T>(path: string): Promise<T> {
    return this.request<T>('GET', path);
  }

  /** A binary answer (application/octet-stream), e.g. GET /headers. */
  getBytes(path: string): Promise<Uint8Array> {
    return this.request<Uint8Array>('GET', path, undefined, true);
  }

  /**
   * The node's best-chain headers from height `from`, at most `count` (default: up to its tip), paged
   * through GET /headers. Each page must link to the one before; a page that does not means the
   * node reorganised meanwhile, so the last page is fetched again from its start (a few times).
   */
  async headers(from: number, count = Number.POSITIVE_INFINITY): Promise<BlockHeader[]> {
    const out: BlockHeader[] = [];
    const pageStarts: number[] = [];
    for (let retries = 0; out.length < count; ) {
      const want = Math.min(MAX_HEADERS_PER_PAGE, count - out.length);
      const path = `/headers?from=${from + out.length}&count=${want}`;
      const bytes = await this.getBytes(path);
      if (bytes.length % HEADER_BYTES !== 0 || bytes.length > want * HEADER_BYTES) {
        throw new CliError(`GET ${path}: the node answered ${bytes.length} bytes, not up to ${want} 80-byte headers`, 1);
      }
      const page: BlockHeader[] = [];
      for (let o = 0; o < bytes.length; o += HEADER_BYTES) page.push(decodeHeader(bytes.subarray(o, o + HEADER_BYTES)));
      const previous = out.at(-1);
      if (previous && page[0] && !bytesEqual(page[0].prevHash, headerHash(previous))) {
        if (++retries > 10) throw new CliError(`the node's best chain kept changing while its headers were read (${path})`, 1);
        out.length = pageStarts.pop() ?? 0;
        continue;
      }
      pageStarts.push(out.length);
      out.push(...page);
      if (page.length < want) break;
    }
    return out;
  }

  post<T>(path: string, body: unknown): Promise<T> {
    return this.request<T>('POST', path, body);
  }

  private async request<T>(method: string, path: string, body?: unknown, binary = false): Promise<T> {
    let res: Response;
    try {
      res = await fetch(this.base + path, {
        method,
        ...(body === undefined ? {} : { body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }),
        signal: AbortSignal.timeout(30_000),
      });
    } catch (err) {
      const cause = (err as { cause?: { code?: string } }).cause?.code ?? (err as Error).message;
      throw new CliError(`cannot reach the node at ${this.base} (${cause}); is it running? (--node URL)`, 1);
    }
    if (res.ok && binary) return new Uint8Array(await res.arrayBuffer()) as T;
    const text = await res.text();
    if (res.ok) {
      try {
        return JSON.parse(text) as T;
      } catch {
        throw new CliError(`${method} ${path}: the node answered ${res.status} with something that is not JSON`, 1);
      }
    }
    let problem: { type?: string; title?: string; detail?: string } = {};
    try {
      problem = JSON.parse(text) as typeof problem;
    } catch {
      // not problem+json: say what we got
    }
    const slug = String(problem.type ?? '').split('/').pop() || `http-${res.status}`;
    const detail = problem.detail ?? problem.title ?? text.slice(0, 200);
    throw new NodeProblem(res.status, slug, `the node refused ${method} ${path}: ${res.status} ${slug}: ${oneLine(detail)}`);
  }
}

function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
