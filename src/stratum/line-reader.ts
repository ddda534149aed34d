/**
 * Newline-delimited JSON-RPC framing with a cap: bytes in, complete lines out. A peer that sends
 * `maxLineBytes` without a newline is not speaking Stratum, and holding its bytes would let it grow
 * our memory without bound, so the reader refuses it (the caller drops the connection).
 */
export class LineReader {
  private pending: Buffer | null = null;

  constructor(private readonly maxLineBytes: number) {}

  /** The complete lines in `chunk` (without `\n` or `\r\n`, empty ones skipped), or 'too-long'. */
  push(chunk: Buffer): string[] | 'too-long' {
    const data = this.pending ? Buffer.concat([this.pending, chunk]) : chunk;
    this.pending = null;
    const lines: string[] = [];
    let start = 0;
    for (let nl = data.indexOf(10, start); nl !== -1; nl = data.indexOf(10, start)) {
      if (nl - start > this.maxLineBytes) return 'too-long';
      const end = nl > start && data[nl - 1] === 13 ? nl - 1 : nl;
      if (end > start) lines.push(data.toString('utf8', start, end));
      start = nl + 1;
    }
    if (data.length - start > this.maxLineBytes) return 'too-long';
    // Copied: a slice would pin the whole socket chunk.
    if (start < data.length) this.pending = Buffer.from(data.subarray(start));
    return lines;
  }

  /** Bytes waiting for their newline. */
  get buffered(): number {
    return this.pending?.length ?? 0;
  }
}
