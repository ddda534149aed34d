import { Reader, Writer } from './codec.js';
import { checkHeaderRun, type HeaderChainReport } from './header-chain.js';
import { decodeHeader, encodeHeader, HEADER_BYTES, readHeader, type BlockHeader } from './header.js';
import { bytesEqual, toHex } from './hash.js';
import { getNetwork, type Network } from './network.js';

/**
 * A headers file: a node's main-chain headers from genesis, for `carechain verify --headers` to hold
 * receipts against offline. Two encodings of the same content, both tagged with a format version
 * and the network:
 *   binary: "CCHD" | u8 version | u8 name length | network name | u32 count | count × 80-byte header
 *   hex:    a first line "carechain-headers 1 NETWORK COUNT", then one header (160 hex digits) a line
 * Header i is the block at height i. A file is worth what its proof of work is worth: checkHeadersFile
 * checks it from the network's genesis with every rule headers allow.
 */
export interface HeadersFile {
  network: string;
  /** From genesis (height 0), oldest first. */
  headers: BlockHeader[];
}

export type HeadersFileFormat = 'binary' | 'hex';

export const HEADERS_FILE_VERSION = 1;
const BINARY_MAGIC = Buffer.from('CCHD', 'latin1');
const TEXT_TAG = 'carechain-headers';

export function encodeHeadersFile(file: HeadersFile, format: HeadersFileFormat): Uint8Array {
  const name = Buffer.from(file.network, 'utf8');
  if (format === 'hex') {
    const lines = [`${TEXT_TAG} ${HEADERS_FILE_VERSION} ${file.network} ${file.headers.length}`, ...file.headers.map((h) => toHex(encodeHeader(h)))];
    return Buffer.from(lines.join('\n') + '\n');
  }
  const w = new Writer(10 + name.length + HEADER_BYTES * file.headers.length);
  w.bytes(BINARY_MAGIC).u8(HEADERS_FILE_VERSION).u8(name.length).bytes(name).u32(file.headers.length);
  for (const h of file.headers) w.bytes(encodeHeader(h));
  return w.finish();
}

/** Decode either encoding; throws an Error that says what is wrong. */
export function decodeHeadersFile(bytes: Uint8Array): HeadersFile {
  const buf = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  if (buf.subarray(0, BINARY_MAGIC.length).equals(BINARY_MAGIC)) return decodeBinary(bytes);
  if (buf.subarray(0, TEXT_TAG.length).toString('latin1') === TEXT_TAG) return decodeText(buf.toString('utf8'));
  throw new Error(`not a headers file (it starts with neither "CCHD" nor "${TEXT_TAG}"): export one with carechain headers export`);
}

export interface HeadersFileCheck {
  network: Network;
  report: HeaderChainReport;
  /** Why the file cannot be trusted, when it cannot. */
  failure?: string;
}

/** Check a whole file from genesis: the network's own genesis first, then every header after it. */
export function checkHeadersFile(file: HeadersFile, now?: number): HeadersFileCheck {
  const network = getNetwork(file.network);
  if (file.headers.length === 0) throw new Error('the headers file holds no headers');
  const report = checkHeaderRun(network, 0, file.headers, now);
  if (!bytesEqual(encodeHeader(file.headers[0]!), encodeHeader(network.genesis.header))) {
    return { network, report, failure: `its first header is not the ${network.name} genesis block` };
  }
  if (report.failure) return { network, report, failure: `${report.failure.reason} at ${report.failure.detail}` };
  return { network, report };
}

function decodeBinary(bytes: Uint8Array): HeadersFile {
  try {
    const r = new Reader(bytes);
    r.bytes(BINARY_MAGIC.length);
    const version = r.u8();
    if (version !== HEADERS_FILE_VERSION) r.fail(`format version ${version}; this carechain reads version ${HEADERS_FILE_VERSION}`);
    const network = Buffer.from(r.bytes(r.u8())).toString('utf8');
    const count = r.u32();
    if (count * HEADER_BYTES !== r.remaining) r.fail(`it says ${count} headers but holds ${r.remaining} bytes of them`);
    const headers: BlockHeader[] = [];
    for (let i = 0; i < count; i++) headers.push(readHeader(r));
    r.end();
    return { network, headers };
  } catch (err) {
    throw new Error(`headers file does not decode: ${(err as Error).message}`);
  }
}

function decodeText(text: string): HeadersFile {
  const lines = text.split(/\r?\n/).filter((l) => l.trim() !== '');
  const [tag, version, network, countText, ...extra] = (lines[0] ?? '').trim().split(/\s+/);
  if (tag !== TEXT_TAG || extra.length > 0 || !network || !/^\d+$/.test(countText ?? '')) {
    throw new Error(`headers file: the first line must be "${TEXT_TAG} ${HEADERS_FILE_VERSION} NETWORK COUNT"`);
  }
  if (version !== String(HEADERS_FILE_VERSION)) throw new Error(`headers file: format version ${version}; this carechain reads version ${HEADERS_FILE_VERSION}`);
  const count = Number(countText);
  if (lines.length - 1 !== count) throw new Error(`headers file: it says ${count} headers but holds ${lines.length - 1} lines of them`);
  const headers = lines.slice(1).map((line, i) => {
    const hex = line.trim();
    if (!/^[0-9a-fA-F]{160}$/.test(hex)) throw new Error(`headers file: line ${i + 2} is not an 80-byte header in hex`);
    return decodeHeader(Buffer.from(hex, 'hex'));
  });
  return { network, headers };
}
