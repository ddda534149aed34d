import { describe, expect, it } from 'vitest';
import { VerifyError } from '../../src/chain/errors.js';
import { networks } from '../../src/chain/network.js';
import { TX_BATCH_MAX_BYTES, TX_BATCH_MAX_COUNT, TX_GOSSIP_MAX_BYTES } from '../../src/net/limits.js';
import { wireNames } from '../../src/net/protocols.js';
import { RequestQuotas } from '../../src/net/request-quotas.js';
import {
  decodeGoodbye, decodeHashList, decodeHeaders, decodeHeadersRequest, decodeStatus, decodeTxBatch, encodeGoodbye, encodeHashList, encodeHeaders,
  encodeHeadersRequest, encodeStatus, encodeTxBatch,
} from '../../src/net/wire.js';

const h = (n: number) => n.toString(16).padStart(64, '0');

describe('wire encodings', () => {
  it('round-trip a gossiped batch of transactions: u16 count, then u16 length and bytes each', () => {
    const txs = [Uint8Array.of(1, 2, 3), new Uint8Array(TX_GOSSIP_MAX_BYTES).fill(7), Uint8Array.of(9)];
    const bytes = encodeTxBatch(txs);
    expect([...bytes.subarray(0, 7)]).toEqual([3, 0, 3, 0, 1, 2, 3]);
    expect(bytes).toHaveLength(2 + 3 * 2 + 3 + TX_GOSSIP_MAX_BYTES + 1);
    expect(decodeTxBatch(bytes)).toEqual(txs);
  });

  it('refuse a batch that is empty, too long, truncated, padded, or carries an empty or oversize transaction', () => {
    const malformed = (bytes: Uint8Array) => expect(() => decodeTxBatch(bytes)).toThrow(VerifyError);
    malformed(new Uint8Array(0));
    malformed(Uint8Array.of(0, 0)); // no transactions
    malformed(Uint8Array.of(1, 0, 4, 0, 1, 2)); // 4 bytes promised, 2 given
    malformed(Uint8Array.of(1, 0, 1, 0, 5, 0)); // a trailing byte
    malformed(Uint8Array.of(1, 0, 0, 0)); // an empty transaction
    const count = TX_BATCH_MAX_COUNT + 1;
    malformed(Uint8Array.from([count & 255, count >> 8, ...Array.from({ length: count }, () => [1, 0, 7]).flat()]));
    const big = TX_GOSSIP_MAX_BYTES + 1;
    malformed(Uint8Array.from([1, 0, big & 255, big >> 8, ...new Uint8Array(big)]));
    malformed(new Uint8Array(TX_BATCH_MAX_BYTES + 1).fill(1));
    expect(() => encodeTxBatch([])).toThrow(RangeError);
    expect(() => encodeTxBatch([new Uint8Array(TX_GOSSIP_MAX_BYTES + 1)])).toThrow(RangeError);
  });

  it('round-trip status (total work past 2^64 included), locators and hash lists', () => {
    const status = { genesisHash: networks.test.genesisHash, tipHash: h(7), height: 123_456, totalWork: (1n << 70n) + 5n };
    expect(encodeStatus(status)).toHaveLength(100);
    expect(decodeStatus(encodeStatus(status))).toEqual(status);
    expect(decodeHeadersRequest(encodeHeadersRequest({ locator: [h(3), h(2), h(1)], stopHash: h(9) }))).toEqual({ locator: [h(3), h(2), h(1)], stopHash: h(9) });
    expect(decodeHeadersRequest(encodeHeadersRequest({ locator: [h(1)] }))).toEqual({ locator: [h(1)] });
    expect(decodeHashList(encodeHashList([h(1), h(2)]))).toEqual([h(1), h(2)]);
    expect(decodeHeaders(encodeHeaders([networks.test.genesis.header]), 1)).toEqual([networks.test.genesis.header]);
    expect(decodeGoodbye(encodeGoodbye('wrong-network'))).toBe('wrong-network');
  });

  it('refuse what is out of bounds or out of shape, as malformed', () => {
    const malformed = (fn: () => unknown) => expect(fn).toThrow(VerifyError);
    malformed(() => decodeStatus(new Uint8Array(99)));
    malformed(() => decodeHeadersRequest(Uint8Array.of(0, ...new Uint8Array(32)))); // an empty locator
    malformed(() => decodeHeadersRequest(Uint8Array.of(102, ...new Uint8Array(103 * 32)))); // 102 hashes
    malformed(() => decodeHashList(Uint8Array.of(17, ...new Uint8Array(17 * 32)))); // 17 blocks
    malformed(() => decodeHashList(Uint8Array.of(2, ...new Uint8Array(32)))); // truncated
    malformed(() => decodeHeaders(new Uint8Array(81), 2000));
    malformed(() => decodeHeaders(new Uint8Array(160), 1)); // more than asked for
    malformed(() => decodeGoodbye(new Uint8Array(2)));
  });

  it('names topics and data protocols per network; status and goodbye are the same on every network', () => {
    const dev = wireNames(networks.dev);
    const test = wireNames(networks.test);
    expect(test.topics.block).toBe(`/carechain/${networks.test.genesisHash.slice(0, 8)}/block/1`);
    expect(dev.topics.tx).not.toBe(test.topics.tx);
    expect(dev.protocols.headers).not.toBe(test.protocols.headers);
    expect([dev.protocols.status, dev.protocols.goodbye]).toEqual([test.protocols.status, test.protocols.goodbye]);
    expect(test.maxMessageBytes.block).toBe(networks.test.maxBlockBytes);
  });
});

describe('request quotas', () => {
  it('allow a burst up to the quota, then refill over the window; per peer and per protocol', () => {
    let now = 0;
    const quotas = new RequestQuotas({ status: { units: 5, windowMs: 15_000 }, goodbye: { units: 1, windowMs: 10_000 }, ping: { units: 1, windowMs: 1 }, headers: { units: 1, windowMs: 1 }, blocks: { units: 100, windowMs: 10_000 }, mempool: { units: 1, windowMs: 1 } }, () => now);
    expect(Array.from({ length: 6 }, () => quotas.take('a', 'status'))).toEqual([true, true, true, true, true, false]);
    expect(quotas.take('b', 'status')).toBe(true);
    expect(quotas.take('a', 'blocks', 100)).toBe(true);
    expect(quotas.take('a', 'blocks', 1)).toBe(false);
    now = 3_000;
    expect(quotas.take('a', 'status')).toBe(true); // 3 s refill one of five per 15 s
    expect(quotas.take('a', 'status')).toBe(false);
    expect(quotas.take('a', 'blocks', 30)).toBe(true);
    quotas.forget('a');
    expect(quotas.take('a', 'goodbye')).toBe(true);
  });
});
