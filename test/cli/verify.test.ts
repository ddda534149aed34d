import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { Chain } from '../../src/chain/chain.js';
import { encodeHeadersFile } from '../../src/chain/headers-file.js';
import type { Receipt } from '../../src/chain/receipt.js';
import { buildRecord, commitmentOf, newSalt } from '../../src/chain/signing.js';
import { duration, run as verify } from '../../src/cli/commands/verify.js';
import { forgeReceipt } from '../chain/forgery.js';
import { keys, mineMany, mineNext, openChain, removeTempDirs, tempDir, testNet } from '../chain/helpers.js';

/** `carechain verify` in process: its lines, its JSON and its exit codes, for each kind of anchor. */
let chain: Chain;
let dir: string;
let real: string;
let realReceipt: Receipt;
let forged: string;
let headersBin: string;
let headersHex: string;
let checkpoint: string;
const clinic = keys();
const document = Buffer.from('{"resourceType":"Observation"}');
const salt = newSalt();
/** The record's block: one reward block, its maturity, then this one. */
const RECORD_HEIGHT = 2 + testNet.coinbaseMaturity;

beforeAll(async () => {
  dir = tempDir();
  chain = await openChain();
  await mineNext(chain, { recipient: clinic.publicKey });
  await mineMany(chain, testNet.coinbaseMaturity); // the clinic's reward matures
  const tx = buildRecord({
    network: testNet, privateKey: clinic.privateKey, sequence: 0, fee: 1000, subject: new Uint8Array(32).fill(1),
    resourceType: 'Observation', commitment: commitmentOf(salt, document), locator: 'ehr://1',
  });
  const admitted = chain.acceptTransaction(tx);
  if (!admitted.accepted) throw new Error(admitted.message);
  await mineNext(chain);
  await mineMany(chain, 4);
  realReceipt = chain.receipt(admitted.txid)!;
  real = save('real.json', realReceipt);
  forged = save('forged.json', forgeReceipt({ height: 123456, onTop: 12, commitment: commitmentOf(salt, document) }));
  const file = { network: 'test', headers: chain.mainHeaders(0, 1000) };
  headersBin = join(dir, 'headers.bin');
  writeFileSync(headersBin, encodeHeadersFile(file, 'binary'));
  headersHex = join(dir, 'headers.txt');
  writeFileSync(headersHex, encodeHeadersFile(file, 'hex'));
  checkpoint = `${chain.tip().height}:${chain.tip().hash}`;
});
afterAll(async () => {
  await chain.close();
  removeTempDirs();
});

function save(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, JSON.stringify(content));
  return path;
}

async function capture(args: string[]): Promise<{ code: number; out: string }> {
  const chunks: string[] = [];
  const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (chunks.push(String(chunk)), true));
  try {
    const code = await verify(args);
    return { code, out: chunks.join('') };
  } finally {
    spy.mockRestore();
  }
}

describe('carechain verify', () => {
  it('without an anchor: exit 3, every field proven but the chain, and the cost of a forgery', async () => {
    const { code, out } = await capture([real]);
    expect(code).toBe(3);
    expect(out).toMatch(new RegExp(`^height +${RECORD_HEIGHT} {2}proven: named by the coinbase`, 'm'));
    expect(out).toMatch(/^index +1 of 2 {2}proven/m);
    expect(out).toMatch(/^confirmations +5 {2}proven: 4 headers carried on top/m);
    expect(out).toMatch(/^chain +unanchored {2}UNPROVEN: nothing ties these headers to the real chain/m);
    expect(out).toMatch(/^forging +this receipt from scratch would take ~2\^\d+\.\d hashes, ~[\d.,]+ (ms|s) at 20 MH\/s$/m);
    expect(out).toMatch(/^VALID BUT UNANCHORED: /m);
  });

  it.each([
    ['a checkpoint', () => ['--checkpoint', checkpoint]],
    ['a binary headers file', () => ['--headers', headersBin]],
    ['a hex headers file', () => ['--headers', headersHex]],
    ['both', () => ['--headers', headersBin, '--checkpoint', checkpoint]],
  ])('anchored by %s: exit 0, buried', async (_what, anchor) => {
    const { code, out } = await capture([real, ...anchor()]);
    expect(out).toMatch(new RegExp(`^VALID: the transaction is in block [0-9a-f]{64} at height ${RECORD_HEIGHT}, 5 confirmations, on the chain of `, 'm'));
    expect(code).toBe(0);
  });

  it('--json: every check, every field proven or not, the work as decimal strings', async () => {
    const { code, out } = await capture([real, '--headers', headersBin, '--json']);
    expect(code).toBe(0);
    const verdict = JSON.parse(out);
    expect(verdict).toMatchObject({ valid: true, status: 'buried', version: 2, work: { headers: 4, referenceHashRate: 20e6 } });
    expect(verdict.checks.find((c: { name: string }) => c.name === 'anchor')).toMatchObject({ ok: true });
    expect(verdict.fields.every((f: { proven: boolean }) => f.proven)).toBe(true);
    expect(BigInt(verdict.work.forgeCost)).toBe(BigInt(verdict.work.block) + BigInt(verdict.work.onTop));
    expect(verdict.tx).toBeUndefined();
  });

  it("refuses the issue's forgery when anchored, and flags it unanchored otherwise", async () => {
    const alone = await capture([forged]);
    expect(alone.code).toBe(3);
    expect(alone.out).toMatch(/^VALID BUT UNANCHORED: .* anyone could make such a receipt with ~2\^1\d\.\d hashes/m);
    const byCheckpoint = await capture([forged, '--checkpoint', checkpoint]);
    expect(byCheckpoint).toMatchObject({ code: 1 });
    expect(byCheckpoint.out).toMatch(/^INVALID: checkpoint-not-covered$/m);
    const byFile = await capture([forged, '--headers', headersBin, '--json']);
    expect(byFile.code).toBe(1);
    expect(JSON.parse(byFile.out)).toMatchObject({ valid: false, status: 'invalid', reason: 'not-in-headers-file' });
  });

  it('says a version 1 receipt is valid only as far as it goes, exit 3 even with an anchor', async () => {
    const { txCount: _c, lastTx: _l, coinbase: _cb, headers: _h, ...rest } = realReceipt;
    const v1 = save('v1.json', { ...rest, version: 1 });
    const { code, out } = await capture([v1, '--checkpoint', checkpoint]);
    expect(code).toBe(3);
    expect(out).toMatch(new RegExp(`^height +${RECORD_HEIGHT} {2}UNPROVEN`, 'm'));
    expect(out).toMatch(/^confirmations +5 {2}UNPROVEN/m);
    expect(out).toMatch(/^VALID AS A VERSION 1 RECEIPT: /m);
  });

  it('refuses bad anchors in one line before checking anything', async () => {
    await expect(verify([real, '--checkpoint', '12:abc'])).rejects.toThrow(/--checkpoint must be HEIGHT:HASH/);
    await expect(verify([real, '--headers', real])).rejects.toThrow(/not a headers file/);
    const bytes = Buffer.from(encodeHeadersFile({ network: 'test', headers: chain.mainHeaders(0, 1000) }, 'binary'));
    bytes[bytes.length - 1]! ^= 0xff; // the tip's nonce: it no longer meets its target
    const broken = join(dir, 'broken.bin');
    writeFileSync(broken, bytes);
    await expect(verify([real, '--headers', broken])).rejects.toThrow(/is not a chain to trust: headers-high-hash/);
    await expect(verify([real, '--headers', join(dir, 'missing.bin')])).rejects.toThrow(/cannot read/);
  });

  it('prices work in words a person reads', () => {
    expect(duration(0.0331)).toBe('~33 ms');
    expect(duration(2.1)).toBe('~2.1 s');
    expect(duration(31 * 3600)).toBe('~31 hours');
    expect(duration(5 * 365.25 * 86400)).toBe('~5.0 years');
  });
});

