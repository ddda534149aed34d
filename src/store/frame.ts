import { crc32 } from 'node:zlib';

/**
 * One record of the block log (format 2): magic | payload length | CRC-32 of the payload | CRC-32 of
 * the 12 bytes before it | payload (u32s little-endian). The magic catches a reader that lost its
 * place; the header's own CRC tells a damaged length from a short write, so a flipped length is
 * damage at once instead of a frame that seems to run past the end of the file; the payload CRC
 * catches torn or rotten bytes.
 */
export const FRAME_HEADER_BYTES = 16;
/** Larger than any block a network allows; a bigger length field means damage, not data. */
export const MAX_FRAME_PAYLOAD = 64 * 1024 * 1024;

export function encodeFrame(payload: Uint8Array): Buffer {
  if (payload.length === 0 || payload.length > MAX_FRAME_PAYLOAD) throw new RangeError(`a frame holds 1 to ${MAX_FRAME_PAYLOAD} bytes, not ${payload.length}`);
  const frame = Buffer.alloc(FRAME_HEADER_BYTES + payload.length);
  frame.writeUInt32LE(CURRENT.magic, 0);
  frame.writeUInt32LE(payload.length, 4);
  frame.writeUInt32LE(crc32(payload), 8);
  frame.writeUInt32LE(crc32(frame.subarray(0, 12)), 12);
  frame.set(payload, FRAME_HEADER_BYTES);
  return frame;
}

/** Reads up to `len` bytes at `pos` (fewer at the end of the file). */
export type ReadAt = (pos: number, len: number) => Buffer;

/** A frame layout: the current one, or format 1 (no header check), read only to migrate it. */
export interface FrameCodec {
  /** The log file version whose frames these are. */
  version: number;
  magic: number;
  headerBytes: number;
  /** The payload length the header declares, or why the header cannot be trusted. */
  checkHeader(head: Buffer): { length: number } | { damage: string };
}

export const CURRENT: FrameCodec = {
  version: 2,
  magic: 0x32424343, // "CCB2" read little-endian
  headerBytes: FRAME_HEADER_BYTES,
  checkHeader(head) {
    const length = head.readUInt32LE(4);
    if (crc32(head.subarray(0, 12)) !== head.readUInt32LE(12)) return { damage: `frame header fails its check (length field ${length})` };
    if (length === 0 || length > MAX_FRAME_PAYLOAD) return { damage: `frame length ${length} is impossible` };
    return { length };
  },
};

/** Format 1, the log's format before frame headers carried a check: magic "CCBK" | length | CRC-32 | payload. */
export const FORMAT_1: FrameCodec = {
  version: 1,
  magic: 0x4b424343, // "CCBK" read little-endian
  headerBytes: 12,
  checkHeader(head) {
    const length = head.readUInt32LE(4);
    // Without a header check a length is only sane or not; an empty frame was never written.
    if (length === 0 || length > MAX_FRAME_PAYLOAD) return { damage: `frame length ${length} is impossible` };
    return { length };
  },
};

/** Every frame kind a log may hold; recovery looks for any of them after damage. */
export const CODECS: readonly FrameCodec[] = [CURRENT, FORMAT_1];

/** What is at an offset: an intact frame, or the damage that makes it none. */
export type FrameRead =
  | { kind: 'frame'; payload: Buffer; next: number }
  /** `end`: where this frame would end, when its header is intact and its length can be trusted. */
  | { kind: 'damaged'; detail: string; end?: number };

/** Read the frame at `offset` of a file of `fileSize` bytes, checking everything the codec can check. */
export function readFrame(codec: FrameCodec, read: ReadAt, offset: number, fileSize: number): FrameRead {
  const left = fileSize - offset;
  if (left < codec.headerBytes) return { kind: 'damaged', detail: `${left} bytes, shorter than a frame header` };
  const head = read(offset, codec.headerBytes);
  const magic = head.readUInt32LE(0);
  if (magic !== codec.magic) return { kind: 'damaged', detail: `bad frame magic 0x${magic.toString(16).padStart(8, '0')}` };
  const header = codec.checkHeader(head);
  if ('damage' in header) return { kind: 'damaged', detail: header.damage };
  const end = offset + codec.headerBytes + header.length;
  // Only the current format's length is trusted: format 1 has no check that it was not damaged.
  const trusted = codec === CURRENT ? { end } : {};
  if (end > fileSize) return { kind: 'damaged', detail: `frame of ${header.length} bytes cut off after ${left - codec.headerBytes}`, ...trusted };
  const payload = read(offset + codec.headerBytes, header.length);
  if (crc32(payload) !== head.readUInt32LE(8)) return { kind: 'damaged', detail: 'frame fails its checksum', ...trusted };
  return { kind: 'frame', payload, next: end };
}

/** The little-endian bytes of a magic, to search for. */
export function magicBytes(codec: FrameCodec): Buffer {
  const bytes = Buffer.alloc(4);
  bytes.writeUInt32LE(codec.magic);
  return bytes;
}
