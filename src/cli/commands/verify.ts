import { readFileSync } from 'node:fs';
import { parseCommandArgs } from '../args.js';
import { CliError } from '../errors.js';
import { NodeClient } from '../node-client.js';
import { checkHeadersFile, decodeHeadersFile } from '../../chain/headers-file.js';
import { headerHash } from '../../chain/header.js';
import { fromHex, toDisplayHex } from '../../chain/hash.js';
import { log2, MAX_RECEIPT_HEADERS, verifyReceipt, type AnchorChain, type Checkpoint, type ReceiptVerdict } from '../../chain/receipt.js';
import { describeTx } from '../../chain/tx-summary.js';

/** The flags `carechain verify` takes (COMMAND_HELP documents each). */
export const options = {
  document: { type: 'string' },
  salt: { type: 'string' },
  node: { type: 'string' },
  checkpoint: { type: 'string', multiple: true },
  headers: { type: 'string' },
  json: { type: 'boolean' },
} as const;

/** Exit codes: the receipt is buried in the anchored chain / invalid / valid but tied to no chain. */
export const EXIT_BURIED = 0;
export const EXIT_INVALID = 1;
export const EXIT_UNANCHORED = 3;

/** The rate the forging cost is priced at: about two cores of this project's kernel, or one GPU-less PC. */
export const REFERENCE_HASH_RATE = 20e6;

/**
 * `carechain verify RECEIPT.json [--node URL] [--checkpoint HEIGHT:HASH]... [--headers FILE]
 * [--document FILE --salt HEX] [--json]`: check a receipt — signature, Merkle paths, transaction
 * count, height, proof of work, the headers on top — and, given anchors, that its block is on the
 * real chain. Every field printed is proven or marked unproven.
 */
export async function run(args: string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(args, options, true);
  if (positionals.length !== 1) throw new CliError('usage: carechain verify RECEIPT.json [--node URL] [--checkpoint HEIGHT:HASH] [--headers FILE] [--document FILE --salt HEX] [--json]');
  if ((values.document === undefined) !== (values.salt === undefined)) throw new CliError('--document and --salt go together');

  const receipt = readJson(positionals[0]!);
  let opening: { document: Uint8Array; salt: Uint8Array } | undefined;
  if (values.document !== undefined && values.salt !== undefined) {
    let salt: Uint8Array;
    try {
      salt = fromHex(values.salt.trim());
    } catch {
      throw new CliError('--salt must be hex');
    }
    opening = { document: readFile(values.document), salt };
  }
  const checkpoints = (values.checkpoint ?? []).map(parseCheckpoint);
  const now = Math.floor(Date.now() / 1000);
  const chains: AnchorChain[] = [];
  if (values.headers !== undefined) chains.push(headersFileAnchor(values.headers, now));
  if (values.node !== undefined) {
    const anchor = await nodeAnchor(new NodeClient(values.node), receipt);
    if (anchor) chains.push(anchor);
  }

  const verdict = verifyReceipt(receipt, { ...(opening ? { opening } : {}), checkpoints, chains, now });
  if (values.json) {
    // What the proven transaction says (a consent's grantee, actions and expiry; a revocation's consent).
    const said = verdict.tx ? describeTx(verdict.tx) : undefined;
    process.stdout.write(JSON.stringify({ ...jsonVerdict(verdict), ...(said ? { summary: said } : {}) }) + '\n');
  }
  else process.stdout.write(textVerdict(verdict));
  return verdict.status === 'buried' ? EXIT_BURIED : verdict.status === 'invalid' ? EXIT_INVALID : EXIT_UNANCHORED;
}

/** `HEIGHT:HASH`, the hash in display hex as /blocks shows it. */
export function parseCheckpoint(text: string): Checkpoint {
  const match = /^(\d{1,10}):(?:0x)?([0-9a-fA-F]{64})$/.exec(text.trim());
  if (!match) throw new CliError(`--checkpoint must be HEIGHT:HASH (a block height, a colon, 64 hex digits), got "${text.slice(0, 80)}"`);
  return { height: Number(match[1]), hash: match[2]!.toLowerCase() };
}

/**
 * The node's best chain over the receipt's heights (block and headers on top), read before the
 * check. Nothing to ask for a receipt that names no height or is version 1 (it carries no chain).
 */
async function nodeAnchor(client: NodeClient, receipt: unknown): Promise<AnchorChain | undefined> {
  const r = receipt as { version?: unknown; height?: unknown; headers?: unknown };
  if (r?.version !== 2 || typeof r.height !== 'number' || !Number.isSafeInteger(r.height) || r.height < 0) return undefined;
  const carried = Array.isArray(r.headers) ? Math.min(r.headers.length, MAX_RECEIPT_HEADERS) : 0;
  const status = await client.get<{ network: string; height: number }>('/status');
  const headers = await client.headers(r.height, carried + 1);
  const hashes = headers.map((h) => toDisplayHex(headerHash(h)));
  return anchorOver('node', `node ${client.base}`, status.network, r.height, hashes, Math.max(status.height, r.height + headers.length - 1));
}

/** A headers file, checked from genesis before anything is held against it. */
function headersFileAnchor(path: string, now: number): AnchorChain {
  let check;
  try {
    const file = decodeHeadersFile(readFile(path));
    check = checkHeadersFile(file, now);
  } catch (err) {
    throw new CliError(`${path}: ${(err as Error).message}`);
  }
  if (check.failure) throw new CliError(`${path} is not a chain to trust: ${check.failure}`);
  const hashes = check.report.hashes.map((h) => toDisplayHex(h));
  return anchorOver('headers-file', `headers file ${path}`, check.network.name, 0, hashes, hashes.length - 1);
}

/** A chain known by its block hashes (display hex) from height `from`. */
function anchorOver(kind: AnchorChain['kind'], name: string, network: string, from: number, hashes: string[], tipHeight: number): AnchorChain {
  return { kind, name, network, tipHeight, hashAt: (height) => hashes[height - from] };
}

function textVerdict(v: ReceiptVerdict): string {
  const lines = v.checks.map((c) => `${c.ok ? 'ok  ' : 'FAIL'}  ${c.name.padEnd(13)} ${c.detail}`);
  if (v.tx) lines.push(`      ${'transaction'.padEnd(13)} ${describeTx(v.tx)}`);
  lines.push('');
  for (const f of v.fields) lines.push(`${f.name.padEnd(13)} ${String(f.value)}  ${f.proven ? 'proven' : 'UNPROVEN'}: ${f.how}`);
  if (v.work) {
    const { block, onTop, headers, forgeCost } = v.work;
    lines.push(`${'work'.padEnd(13)} ${headers === 0 ? 'no headers on top of the block' : `~2^${log2(onTop).toFixed(1)} expected hashes in the ${headers} headers on top`} (~2^${log2(block).toFixed(1)} in the block itself)`);
    lines.push(`${'forging'.padEnd(13)} this receipt from scratch would take ~2^${log2(forgeCost).toFixed(1)} hashes, ${duration(Number(forgeCost) / REFERENCE_HASH_RATE)} at ${REFERENCE_HASH_RATE / 1e6} MH/s`);
  }
  lines.push(summary(v), '');
  return lines.join('\n');
}

function summary(v: ReceiptVerdict): string {
  if (v.status === 'invalid') return `INVALID: ${v.reason}`;
  const field = (name: string) => v.fields.find((f) => f.name === name);
  if (v.status === 'buried') {
    return `VALID: the transaction is in block ${field('block')?.value} at height ${field('height')?.value}, ${field('confirmations')?.value} confirmations, on the chain of ${field('chain')?.value}`;
  }
  if (v.version === 1) {
    return 'VALID AS A VERSION 1 RECEIPT: the transaction is in a block whose header meets its own bits; its height, confirmations and burial are unproven. Fetch a version 2 receipt: carechain receipt TXID';
  }
  const cost = v.work ? `~2^${log2(v.work.forgeCost).toFixed(1)} hashes` : 'its proof of work';
  return `VALID BUT UNANCHORED: the proofs hold, but nothing ties this block to the real chain; anyone could make such a receipt with ${cost}. Check it against the chain: --node URL, --checkpoint HEIGHT:HASH or --headers FILE`;
}

function jsonVerdict(v: ReceiptVerdict) {
  const { tx: _tx, work, ...rest } = v;
  return {
    ...rest,
    ...(work
      ? {
          work: {
            block: work.block.toString(),
            onTop: work.onTop.toString(),
            headers: work.headers,
            forgeCost: work.forgeCost.toString(),
            forgeCostLog2: Number(log2(work.forgeCost).toFixed(2)),
            forgeSeconds: Number(work.forgeCost) / REFERENCE_HASH_RATE,
            referenceHashRate: REFERENCE_HASH_RATE,
          },
        }
      : {}),
  };
}

/** Seconds as a person reads them: ~40 ms, ~3 min, ~31 hours, ~2,000 years. */
export function duration(seconds: number): string {
  const round = (n: number) => (n >= 10 ? Math.round(n).toLocaleString('en-US') : n.toPrecision(2));
  if (seconds < 1) return `~${round(seconds * 1000)} ms`;
  if (seconds < 120) return `~${round(seconds)} s`;
  if (seconds < 2 * 3600) return `~${round(seconds / 60)} min`;
  if (seconds < 72 * 3600) return `~${round(seconds / 3600)} hours`;
  if (seconds < 2 * 365.25 * 86400) return `~${round(seconds / 86400)} days`;
  return `~${round(seconds / (365.25 * 86400))} years`;
}

function readJson(path: string): unknown {
  const text = readFile(path).toString();
  try {
    return JSON.parse(text);
  } catch (err) {
    throw new CliError(`${path} is not JSON: ${(err as Error).message}`);
  }
}

function readFile(path: string): Buffer {
  try {
    return readFileSync(path);
  } catch (err) {
    throw new CliError(`cannot read ${path}: ${(err as NodeJS.ErrnoException).code ?? (err as Error).message}`);
  }
}
