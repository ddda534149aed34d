import { describe, expect, it } from 'vitest';
import type { AdmissionOutcome, TxAdmissionPort } from '../../src/chain/chain-types.js';
import type { Chain } from '../../src/chain/chain.js';
import { networks } from '../../src/chain/network.js';
import { GossipRelay, type GossipService } from '../../src/net/gossip.js';
import type { GossipTxStatus, NetworkRecorder } from '../../src/net/network-recorder.js';
import { GOSSIP_TX_VALIDATION_QUEUE, TX_BATCH_MAX_COUNT } from '../../src/net/limits.js';
import type { PendingBlocks } from '../../src/net/pending-blocks.js';
import { wireNames } from '../../src/net/protocols.js';
import { decodeTxBatch, encodeTxBatch } from '../../src/net/wire.js';

const names = wireNames(networks.test);

/** What the fake admission answers for a transaction, by its first byte. */
const OUTCOMES: Record<number, AdmissionOutcome> = {
  1: { status: 'accepted', txid: 'a' },
  2: { status: 'known', txid: 'k' },
  3: { status: 'rejected', reason: 'insufficient-funds', message: 'later', penalty: 'none' },
  4: { status: 'unavailable', message: 'disk', retryAfterSeconds: 5 },
  5: { status: 'rejected', reason: 'bad-signature', message: 'forged', penalty: 'fatal' },
  6: { status: 'rejected', reason: 'malformed', message: 'junk', penalty: 'low' },
};

function relay(admit?: TxAdmissionPort['admit']) {
  const verdicts = new Map<string, string>();
  const published: { topic: string; data: Uint8Array }[] = [];
  const admitted: Uint8Array[] = [];
  const announced: Uint8Array[] = [];
  const penalties: string[] = [];
  const counted: GossipTxStatus[] = [];
  let listener: ((e: CustomEvent) => void) | undefined;
  const pubsub = {
    subscribe: () => undefined,
    publish: async (topic: string, data: Uint8Array) => void published.push({ topic, data }),
    reportMessageValidationResult: (id: string, _peer: string, verdict: string) => void verdicts.set(id, verdict),
    getScore: () => 0,
    addEventListener: (_type: string, l: (e: CustomEvent) => void) => void (listener = l),
    removeEventListener: () => undefined,
  } as unknown as GossipService;
  const admission: TxAdmissionPort = { admit: async (raw, source) => (admitted.push(raw), admit ? admit(raw, source) : OUTCOMES[raw[0]!]!) };
  const metrics = { gossipMessage: () => undefined, gossipTransaction: (s: GossipTxStatus) => void counted.push(s) } as unknown as NetworkRecorder;
  const gossip = new GossipRelay({
    pubsub, names, admission, metrics,
    chain: {} as Chain, pending: {} as PendingBlocks,
    penalise: (_peer, action, reason) => void penalties.push(`${action} ${reason}`),
    onUnknownParent: () => undefined, onBlockFrom: () => undefined,
    announce: (tx) => void announced.push(tx),
  });
  gossip.start();
  let next = 0;
  /** Hand gossipsub's message event to the relay; resolves with its verdict on that message. */
  const deliver = async (data: Uint8Array): Promise<string> => {
    const msgId = `m${next++}`;
    listener!(new CustomEvent('gossipsub:message', { detail: { propagationSource: { toString: () => 'peer-a' }, msgId, msg: { topic: names.topics.tx, data } } }));
    while (!verdicts.has(msgId)) await new Promise((r) => setImmediate(r));
    return verdicts.get(msgId)!;
  };
  return { gossip, deliver, published, admitted, announced, penalties, counted };
}

const tx = (kind: number, n = 0) => Uint8Array.of(kind, n, 7, 7);

describe('transaction gossip', () => {
  it('relays a batch as it came when this node holds every transaction in it, and counts each', async () => {
    const r = relay();
    expect(await r.deliver(encodeTxBatch([tx(1), tx(1, 1), tx(2)]))).toBe('accept');
    expect(r.admitted).toHaveLength(3);
    expect(r.counted).toEqual(['accepted', 'accepted', 'known']);
    expect(r.announced).toEqual([]);
    expect(r.penalties).toEqual([]);
  });

  it('does not relay a batch with anything not on its disk, announces the new ones itself, blames nobody', async () => {
    const r = relay();
    expect(await r.deliver(encodeTxBatch([tx(1), tx(3), tx(1, 1)]))).toBe('ignore');
    expect(r.announced).toEqual([tx(1), tx(1, 1)]);
    expect(await r.deliver(encodeTxBatch([tx(4), tx(1, 2)]))).toBe('ignore'); // a failed write
    expect(r.announced).toEqual([tx(1), tx(1, 1), tx(1, 2)]);
    expect(await r.deliver(encodeTxBatch([tx(2), tx(3)]))).toBe('ignore'); // nothing new
    expect(r.announced).toHaveLength(3);
    expect(r.penalties).toEqual([]);
  });

  it('rejects a batch with one transaction that can never be valid, or bytes that are no batch, and penalises the sender', async () => {
    const r = relay();
    expect(await r.deliver(encodeTxBatch([tx(1), tx(5)]))).toBe('reject');
    expect(await r.deliver(encodeTxBatch([tx(6), tx(2)]))).toBe('reject');
    expect(await r.deliver(Uint8Array.of(0, 0))).toBe('reject');
    expect(r.penalties).toEqual(['fatal invalid-tx', 'low malformed', 'low malformed']);
    expect(r.announced).toEqual([]);
  });

  it('holds at most GOSSIP_TX_VALIDATION_QUEUE transactions in validation: a batch beyond is ignored unchecked', async () => {
    const release: (() => void)[] = [];
    const r = relay((raw) => new Promise((resolve) => release.push(() => resolve(OUTCOMES[raw[0]!]!))));
    const full = (n: number) => encodeTxBatch(Array.from({ length: TX_BATCH_MAX_COUNT }, (_, i) => Uint8Array.of(1, n, i)));
    const pending = Array.from({ length: GOSSIP_TX_VALIDATION_QUEUE / TX_BATCH_MAX_COUNT }, (_, n) => r.deliver(full(n)));
    await new Promise((resolve) => setImmediate(resolve));
    expect(r.admitted).toHaveLength(GOSSIP_TX_VALIDATION_QUEUE);
    expect(await r.deliver(encodeTxBatch([tx(1, 9)]))).toBe('ignore');
    expect(r.admitted).toHaveLength(GOSSIP_TX_VALIDATION_QUEUE);
    for (const go of release.splice(0)) go();
    expect(await Promise.all(pending)).toEqual(pending.map(() => 'accept'));
    expect(r.penalties).toEqual([]);
  });

  it('publishes its own announcements as one batch on the tx topic', async () => {
    const r = relay();
    await r.gossip.publishTransactions([tx(1), tx(1, 1)]);
    expect(r.published).toHaveLength(1);
    expect(r.published[0]!.topic).toBe(names.topics.tx);
    expect(decodeTxBatch(r.published[0]!.data)).toEqual([tx(1), tx(1, 1)]);
  });
});
