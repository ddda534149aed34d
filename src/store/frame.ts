import { crc32 } from 'node:zlib';

/**
 * One record of the block log: magic | payload length | CRC-32 of the payload | payload (u32s
 * little-endian). The magic catches a reader that lost its place; the CRC catches torn or rotten bytes.
 */
export const FRAME_MAGIC = 0x4b424343; // "CCBK" read little-endian
export const FRAME_HEADER_BYTES = 12;
/** Larger than any block a network allows; a bigger length field means damage, not data. */
export const MAX_FRAME_PAYLOAD = 64 * 1024 * 1024;

export function encodeFrame(payload: Uint8Array): Buffer {
  const frame = Buffer.alloc(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(FRAME_MAGIC, 0);
  frame.writeUInt32LE(payload.length, 4);
  frame.writeUInt32LE(crc32(payload), 8);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** What the reader found at an offset. */
export type FrameScan =
  | { kind: 'frame'; payload: Buffer; next: number }
  /** Bytes that are a prefix of a frame (or zero fill) running to the end of the file: a crash mid-append. */
  | { kind: 'torn'; detail: string }
  /** Damage with more data after it: the log cannot be trusted from here on. */
  | { kind: 'corrupt'; detail: string };

/**
 * Classify the bytes at `offset`. `read(pos, len)` returns up to len bytes; `fileSize` bounds the log.
 * A frame whose CRC fails is torn only when it is the last thing in the file.
 */
export function scanFrame(read: (pos: number, len: number) => Buffer, offset: number, fileSize: number): FrameScan {
  const left = fileSize - offset;
  const head = read(offset, Math.min(FRAME_HEADER_BYTES, left));
  if (left < FRAME_HEADER_BYTES) return { kind: 'torn', detail: `${left} bytes of a frame header` };
  const magic = head.readUInt32LE(0);
  const length = head.readUInt32LE(4);
  if (magic !== FRAME_MAGIC) {
    if (magic === 0 && isZeroFill(read, offset, fileSize)) return { kind: 'torn', detail: 'zero fill after the last frame' };
    return { kind: 'corrupt', detail: `bad frame magic 0x${magic.toString(16)}` };
  }
  if (length > MAX_FRAME_PAYLOAD) return { kind: 'corrupt', detail: `frame length ${length} is impossible` };
  const end = offset + FRAME_HEADER_BYTES + length;
  if (end > fileSize) return { kind: 'torn', detail: `frame of ${length} bytes cut off after ${left - FRAME_HEADER_BYTES}` };
  const payload = read(offset + FRAME_HEADER_BYTES, length);
  if (crc32(payload) !== head.readUInt32LE(8)) {
    return end === fileSize ? { kind: 'torn', detail: 'last frame fails its checksum' } : { kind: 'corrupt', detail: 'frame fails its checksum' };
  }
  return { kind: 'frame', payload, next: end };
}

function isZeroFill(read: (pos: number, len: number) => Buffer, offset: number, fileSize: number): boolean {
  for (let pos = offset; pos < fileSize; pos += 65536) {
    const chunk = read(pos, Math.min(65536, fileSize - pos));
    if (chunk.some((b) => b !== 0)) return false;
  }
  return true;
}
