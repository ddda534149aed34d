import { createHash } from 'node:crypto';

/**
 * A share built the way pooler's cpuminer builds one (cpu-miner.c, stratum_gen_work and
 * submit_upstream_work), written here independently of src/stratum so the two can disagree: the
 * header is 20 u32 words, version/prevhash/ntime/nbits le32dec'd from the notify's hex bytes, the
 * Merkle root be32dec'd, each word then be32enc'd for hashing; the submit's ntime and nonce are
 * le32enc'd words in hex, extranonce2 the coinbase bytes.
 */
export interface NotifyParams {
  jobId: string;
  prevhash: string;
  coinb1: string;
  coinb2: string;
  branch: string[];
  version: string;
  nbits: string;
  ntime: string;
  clean: boolean;
}

export function notifyParams(params: unknown[]): NotifyParams {
  const [jobId, prevhash, coinb1, coinb2, branch, version, nbits, ntime, clean] = params as [string, string, string, string, string[], string, string, string, boolean];
  return { jobId, prevhash, coinb1, coinb2, branch, version, nbits, ntime, clean };
}

const sha256d = (b: Buffer) => createHash('sha256').update(createHash('sha256').update(b).digest()).digest();
const le32dec = (b: Buffer, at = 0) => b.readUInt32LE(at);
const be32dec = (b: Buffer, at = 0) => b.readUInt32BE(at);
const le32encHex = (w: number) => {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(w >>> 0);
  return b.toString('hex');
};

export interface CpuminerShare {
  header: Buffer;
  /** SHA-256d of the header, internal order. */
  hash: Buffer;
  /** mining.submit's params after the worker name. */
  submit: [jobId: string, extranonce2: string, ntime: string, nonce: string];
}

/** The header for this job, extranonce1, extranonce2 (hex) and nonce word data[19], as cpuminer hashes it. */
export function cpuminerShare(n: NotifyParams, extranonce1: string, extranonce2: string, nonceWord: number): CpuminerShare {
  let root = sha256d(Buffer.from(n.coinb1 + extranonce1 + extranonce2 + n.coinb2, 'hex'));
  for (const b of n.branch) root = sha256d(Buffer.concat([root, Buffer.from(b, 'hex')]));
  const data = new Array<number>(20).fill(0);
  data[0] = le32dec(Buffer.from(n.version, 'hex'));
  const prev = Buffer.from(n.prevhash, 'hex');
  for (let i = 0; i < 8; i++) data[1 + i] = le32dec(prev, 4 * i);
  for (let i = 0; i < 8; i++) data[9 + i] = be32dec(root, 4 * i);
  data[17] = le32dec(Buffer.from(n.ntime, 'hex'));
  data[18] = le32dec(Buffer.from(n.nbits, 'hex'));
  data[19] = nonceWord >>> 0;
  const header = Buffer.alloc(80);
  data.forEach((w, i) => header.writeUInt32BE(w >>> 0, 4 * i));
  return { header, hash: sha256d(header), submit: [n.jobId, extranonce2, le32encHex(data[17]), le32encHex(data[19])] };
}

/** cpuminer's fulltest: the hash as eight LE words, compared from the top against a target. */
export function meetsTarget(hash: Buffer, target: bigint): boolean {
  return BigInt('0x' + Buffer.from(hash).reverse().toString('hex')) <= target;
}

/** cpuminer's diff_to_target for sha256d: 0xffff0000 / diff in the sixth word (for diff ≤ 1). */
export function cpuminerTarget(difficulty: number): bigint {
  let diff = difficulty;
  let k = 6;
  for (; k > 0 && diff > 1.0; k--) diff /= 4294967296.0;
  const m = BigInt(Math.floor(4294901760.0 / diff));
  return m << BigInt(32 * k);
}

/** Grind nonce words from `start` until `wanted(hash)` holds. */
export function grind(n: NotifyParams, extranonce1: string, extranonce2: string, wanted: (hash: Buffer) => boolean, start = 0): CpuminerShare {
  for (let w = start; w < start + 10_000_000; w++) {
    const share = cpuminerShare(n, extranonce1, extranonce2, w);
    if (wanted(share.hash)) return share;
  }
  throw new Error('no nonce found');
}
