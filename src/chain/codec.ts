import { VerifyError, type RejectReason } from './errors.js';

/**
 * Little-endian binary writer and reader for the deterministic encodings of headers, transactions
 * and blocks. Amounts are u64 on the wire but must fit a JS safe integer (all supply does).
 */
export class Writer {
  private buf: Buffer;
  private pos = 0;

  constructor(capacity = 256) {
    this.buf = Buffer.alloc(capacity);
  }

  u8(v: number): this {
    this.reserve(1).writeUInt8(v, this.pos);
    this.pos += 1;
    return this;
  }

  u16(v: number): this {
    this.reserve(2).writeUInt16LE(v, this.pos);
    this.pos += 2;
    return this;
  }

  u32(v: number): this {
    this.reserve(4).writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  u64(v: number): this {
    if (!Number.isSafeInteger(v) || v < 0) throw new RangeError(`u64 field out of range: ${v}`);
    this.reserve(8).writeBigUInt64LE(BigInt(v), this.pos);
    this.pos += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.reserve(b.length).set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** The bytes written so far (a copy-free view). */
  finish(): Uint8Array {
    return new Uint8Array(this.buf.buffer, this.buf.byteOffset, this.pos);
  }

  private reserve(n: number): Buffer {
    if (this.pos + n > this.buf.length) {
      const bigger = Buffer.alloc(Math.max(this.buf.length * 2, this.pos + n));
      this.buf.copy(bigger, 0, 0, this.pos);
      this.buf = bigger;
    }
    return this.buf;
  }
}

/** Reads what a Writer wrote; any overrun or out-of-range value is a VerifyError with `reason`. */
export class Reader {
  private readonly buf: Buffer;
  pos = 0;

  constructor(
    bytes: Uint8Array,
    private readonly reason: RejectReason = 'malformed',
  ) {
    this.buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  }

  get remaining(): number {
    return this.buf.length - this.pos;
  }

  u8(): number {
    this.need(1);
    return this.buf.readUInt8(this.pos++);
  }

  u16(): number {
    this.need(2);
    const v = this.buf.readUInt16LE(this.pos);
    this.pos += 2;
    return v;
  }

  u32(): number {
    this.need(4);
    const v = this.buf.readUInt32LE(this.pos);
    this.pos += 4;
    return v;
  }

  u64(): number {
    this.need(8);
    const v = this.buf.readBigUInt64LE(this.pos);
    this.pos += 8;
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new VerifyError(this.reason, 'amount field exceeds 2^53 - 1');
    return Number(v);
  }

  bytes(n: number): Uint8Array {
    this.need(n);
    const out = new Uint8Array(this.buf.subarray(this.pos, this.pos + n));
    this.pos += n;
    return out;
  }

  /** Fail unless every byte was consumed: trailing garbage would make encodings non-unique. */
  end(): void {
    if (this.remaining !== 0) throw new VerifyError(this.reason, `${this.remaining} trailing bytes`);
  }

  fail(message: string): never {
    throw new VerifyError(this.reason, message);
  }

  private need(n: number): void {
    if (this.pos + n > this.buf.length) throw new VerifyError(this.reason, 'truncated');
  }
}
