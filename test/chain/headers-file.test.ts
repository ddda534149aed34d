import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Chain } from '../../src/chain/chain.js';
import { checkHeaderRun } from '../../src/chain/header-chain.js';
import { headerHash, type BlockHeader } from '../../src/chain/header.js';
import { checkHeadersFile, decodeHeadersFile, encodeHeadersFile, type HeadersFile } from '../../src/chain/headers-file.js';
import { networks } from '../../src/chain/network.js';
import { bitsToTarget, blockWork, hashMeetsTarget, targetToBits } from '../../src/chain/target.js';
import { mineMany, NOW, openChain, removeTempDirs, solveHeader } from './helpers.js';

let chain: Chain;
let file: HeadersFile;

beforeAll(async () => {
  chain = await openChain();
  for (const spacing of [1, 3, 0, 2, 1, 4, 1, 0, 2, 1, 3, 1, 2, 1, 1, 5]) await mineMany(chain, 1, { spacing });
  file = { network: 'test', headers: chain.mainHeaders(0, 1_000) };
});
afterAll(async () => {
  await chain.close();
  removeTempDirs();
});

const clone = (f: HeadersFile): HeadersFile => ({ network: f.network, headers: f.headers.map((h) => ({ ...h })) });

describe('headers files', () => {
  it('round-trip in binary and hex, tagged with format and network', () => {
    for (const format of ['binary', 'hex'] as const) {
      const bytes = encodeHeadersFile(file, format);
      expect(decodeHeadersFile(bytes)).toEqual(file);
    }
    expect(Buffer.from(encodeHeadersFile(file, 'binary')).subarray(0, 4).toString()).toBe('CCHD');
    expect(Buffer.from(encodeHeadersFile(file, 'hex')).toString().split('\n')[0]).toBe(`carechain-headers 1 test ${file.headers.length}`);
    expect(encodeHeadersFile(file, 'binary').length).toBe(4 + 1 + 1 + 4 + 4 + 80 * file.headers.length);
  });

  it('refuse to decode what is not one, in a sentence', () => {
    const binary = Buffer.from(encodeHeadersFile(file, 'binary'));
    const hex = Buffer.from(encodeHeadersFile(file, 'hex')).toString();
    expect(() => decodeHeadersFile(Buffer.from('{"version":2}'))).toThrow(/not a headers file/);
    expect(() => decodeHeadersFile(binary.subarray(0, binary.length - 1))).toThrow(/holds \d+ bytes/);
    expect(() => decodeHeadersFile(Buffer.concat([binary.subarray(0, 4), Buffer.from([2]), binary.subarray(5)]))).toThrow(/format version 2/);
    expect(() => decodeHeadersFile(Buffer.from(hex.replace(/\n[0-9a-f]+\n$/, '\n')))).toThrow(/holds \d+ lines/);
    expect(() => decodeHeadersFile(Buffer.from(hex.replace(/\n[0-9a-f]{4}/, '\nzzzz')))).toThrow(/line 2 is not an 80-byte header/);
  });

  it('check from genesis: a real chain passes, with every header after the window checked against the retarget rule', () => {
    const check = checkHeadersFile(file, NOW);
    expect(check.failure).toBeUndefined();
    expect(check.report.retargetChecked).toBe(file.headers.length - 1);
    expect(check.report.baseWork + check.report.workOnTop).toBe(chain.tip().totalWork);
  });

  it('refuse a chain that does not start at the network genesis', () => {
    expect(checkHeadersFile({ network: 'dev', headers: file.headers }, NOW).failure).toMatch(/not the dev genesis/);
  });

  it.each<[string, (headers: BlockHeader[]) => void, RegExp]>([
    ['a header that misses its target', (hs) => missTarget(hs[7]!), /headers-high-hash at height 7/],
    ['bits off the retarget rule, though the headers meet them', (hs) => resolveFrom(hs, 9, (h) => (h.bits = targetToBits(bitsToTarget(h.bits) / 2n))), /headers-bad-retarget at height 9/],
    ['a broken link', (hs) => void hs.splice(5, 1), /headers-broken-link at height 5/],
  ])('refuse %s', (_what, tamper, failure) => {
    const bad = clone(file);
    tamper(bad.headers);
    expect(checkHeadersFile(bad, NOW).failure).toMatch(failure);
  });
});

describe('checkHeaderRun', () => {
  it('checks the retarget rule only where the run holds the whole window, and the median only where it holds 11', () => {
    const run = file.headers.slice(3);
    const report = checkHeaderRun(networks.test, 3, run, NOW);
    expect(report.failure).toBeUndefined();
    // Header x needs heights x-11..x-1 in the run (from 3): x ≥ 14.
    expect(report.retargetChecked).toBe(file.headers.length - 14);
    expect(report.timeChecked).toBe(file.headers.length - 14);
    expect(report.workOnTop).toBe(run.slice(1).reduce((sum, h) => sum + blockWork(bitsToTarget(h.bits)), 0n));
  });
});

function missTarget(h: BlockHeader): void {
  const target = bitsToTarget(h.bits);
  do h.nonce = (h.nonce + 1) >>> 0;
  while (hashMeetsTarget(headerHash(h), target));
}

/** Change header `at`, then re-mine it and every header after it so only the changed rule breaks. */
function resolveFrom(headers: BlockHeader[], at: number, change: (h: BlockHeader) => void): void {
  change(headers[at]!);
  for (let i = at; i < headers.length; i++) {
    if (i > at) headers[i]!.prevHash = headerHash(headers[i - 1]!);
    solveHeader(headers[i]!);
  }
}
