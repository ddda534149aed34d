import { describe, expect, it } from 'vitest';
import { COIN } from '../../src/chain/network.js';
import { DEFAULT_MEMPOOL_LIMITS, Mempool, type MempoolLimits } from '../../src/chain/mempool.js';
import { buildTransfer } from '../../src/chain/signing.js';
import { LedgerState } from '../../src/chain/state.js';
import { encodeTx, txidHex, type SignedTx } from '../../src/chain/tx.js';
import { keys, testNet } from './helpers.js';

// The mempool when it is full: who is evicted (pinned, not "someone"), what the newcomer must pay
// next (the rolling minimum fee), how that decays, and that nothing leaves without a report.

const sink = keys().publicKey;

function funded(...owners: { publicKey: string }[]): LedgerState {
  const state = new LedgerState();
  for (const o of owners) state.setAccount(o.publicKey, { balance: 100 * COIN, sequence: 0, immature: [] });
  return state;
}

function pool(base: LedgerState, limits: Partial<MempoolLimits>, clock = { now: 1_000_000 }) {
  const mempool = new Mempool(base, { ...DEFAULT_MEMPOOL_LIMITS, ...limits }, () => ({ height: 10, time: 1000, coinbaseMaturity: 0 }), () => clock.now);
  return { mempool, clock };
}

function pay(from: { privateKey: string }, sequence: number, fee: number, recipient = sink, amount = 1): SignedTx {
  return buildTransfer({ network: testNet, privateKey: from.privateKey, sequence, fee, recipient, amount });
}

function add(mempool: Mempool, tx: SignedTx) {
  return mempool.add(tx, txidHex(tx), encodeTx(tx).length);
}

const SIZE = encodeTx(pay(keys(), 0, 1)).length; // every transfer has the same size

describe('a full mempool', () => {
  it('evicts exactly the cheapest entries of other senders for a better payer, and reports each', () => {
    const senders = Array.from({ length: 5 }, keys);
    const newcomer = keys();
    const { mempool } = pool(funded(...senders, newcomer), { maxCount: 5, evictionBatch: 0.2 });
    const fees = [5000, 1000, 3000, 2000, 4000];
    const txs = senders.map((s, i) => pay(s, 0, fees[i]!));
    for (const tx of txs) expect(add(mempool, tx).evicted).toEqual([]);

    const rich = pay(newcomer, 0, 6000);
    const { evicted } = add(mempool, rich);
    // Room for one plus a batch (20 % of 5 = 1 entry) of headroom: the two cheapest, 1000 and 2000.
    expect(evicted.map((e) => e.entry.txid).sort()).toEqual([txidHex(txs[1]!), txidHex(txs[3]!)].sort());
    expect(evicted.every((e) => e.lostTo === 6000 / SIZE && e.dependedOnEvicted === undefined)).toBe(true);
    expect(mempool.count).toBe(4);
    expect(mempool.has(txidHex(rich))).toBe(true);
    expect(mempool.bytes).toBe(4 * SIZE);
  });

  it('raises a rolling minimum above what it evicted, refuses below it as mempool-min-fee, and lets it decay by its half-life', () => {
    const senders = Array.from({ length: 4 }, keys);
    const late = Array.from({ length: 3 }, keys);
    const { mempool, clock } = pool(funded(...senders, ...late), { maxCount: 4, evictionBatch: 0.25, incrementalFeeRate: 1, minFeeHalfLifeSeconds: 600 });
    for (const [i, s] of senders.entries()) add(mempool, pay(s, 0, 1000 * (i + 1)));
    expect(mempool.minFeeRate()).toBe(0);
    add(mempool, pay(late[0]!, 0, 9000)); // evicts the 1000 and the 2000 (one for room, one headroom)
    const minimum = 2000 / SIZE + 1;
    expect(mempool.minFeeRate()).toBeCloseTo(minimum, 9);

    const cheap = pay(late[1]!, 0, Math.floor((minimum - 0.5) * SIZE));
    expect(() => add(mempool, cheap)).toThrow(expect.objectContaining({ reason: 'mempool-min-fee', message: expect.stringContaining(minimum.toFixed(3)) }));
    // The pool is three-quarters full (≥ half): one half-life halves the minimum.
    clock.now += 600_000;
    expect(mempool.minFeeRate()).toBeCloseTo(minimum / 2, 9);
    // Decayed below half the increment, it is gone and the cheap one gets in (the pool has room).
    clock.now += 600_000 * 10;
    expect(mempool.minFeeRate()).toBe(0);
    expect(add(mempool, cheap).evicted).toEqual([]);
  });

  it('refuses a newcomer who does not pay more than the cheapest, and evicts nobody', () => {
    const senders = Array.from({ length: 3 }, keys);
    const newcomer = keys();
    const { mempool } = pool(funded(...senders, newcomer), { maxCount: 3 });
    for (const s of senders) add(mempool, pay(s, 0, 2000));
    expect(() => add(mempool, pay(newcomer, 0, 2000))).toThrow(expect.objectContaining({ reason: 'mempool-full' }));
    expect(mempool.count).toBe(3);
    expect(mempool.minFeeRate()).toBe(0);
  });

  it("takes a victim's later transactions with it, and the ones that spent what it paid, saying why", () => {
    const cheap = keys();
    const payee = keys();
    const others = Array.from({ length: 2 }, keys);
    const newcomer = keys();
    const base = funded(cheap, ...others, newcomer); // payee has nothing confirmed
    const { mempool } = pool(base, { maxCount: 5, evictionBatch: 0.01 });
    const first = pay(cheap, 0, 1000, payee.publicKey, 10 * COIN);
    const second = pay(cheap, 1, 8000);
    const spendOfPayee = pay(payee, 0, 8000); // only valid because `first` pays the payee
    for (const tx of [first, second, spendOfPayee, pay(others[0]!, 0, 7000), pay(others[1]!, 0, 7000)]) add(mempool, tx);
    expect(mempool.count).toBe(5);

    const { evicted } = add(mempool, pay(newcomer, 0, 9000));
    const byId = new Map(evicted.map((e) => [e.entry.txid, e]));
    expect(new Set(byId.keys())).toEqual(new Set([txidHex(first), txidHex(second), txidHex(spendOfPayee)]));
    expect(byId.get(txidHex(first))!.dependedOnEvicted).toBeUndefined();
    expect(byId.get(txidHex(spendOfPayee))!.dependedOnEvicted).toBe(true);
    expect(mempool.count).toBe(3);
    expect(mempool.pendingState().account(payee.publicKey).balance).toBe(0);
  });

  it('evicts nothing when the newcomer itself needed a victim', () => {
    const funder = keys();
    const payee = keys();
    const other = keys();
    const { mempool } = pool(funded(funder, other), { maxCount: 2 });
    const funding = pay(funder, 0, 1000, payee.publicKey, 10 * COIN);
    add(mempool, funding);
    add(mempool, pay(other, 0, 5000));
    // The payee's spend pays well but needs the cheap funding transfer it would have to evict.
    expect(() => add(mempool, pay(payee, 0, 9000))).toThrow(expect.objectContaining({ reason: 'insufficient-funds' }));
    expect(mempool.has(txidHex(funding))).toBe(true);
    expect(mempool.count).toBe(2);
  });
});

describe('admission order', () => {
  it('numbers entries so a replay in that order admits them all, renumbered after a reset', () => {
    const a = keys();
    const b = keys();
    const base = funded(a);
    const { mempool } = pool(base, {});
    const fund = pay(a, 0, 1000, b.publicKey, COIN);
    const spend = pay(b, 0, 5000); // needs `fund` first, though it pays more
    add(mempool, fund);
    add(mempool, spend);
    expect(mempool.inAdmissionOrder().map((e) => e.txid)).toEqual([txidHex(fund), txidHex(spend)]);
    const { dropped } = mempool.reset(base);
    expect(dropped).toEqual([]);
    expect(mempool.inAdmissionOrder().map((e) => [e.txid, e.seq])).toEqual([
      [txidHex(fund), 0],
      [txidHex(spend), 1],
    ]);
  });

  it('reports what a new tip made invalid, with the reason', () => {
    const a = keys();
    const base = funded(a);
    const { mempool } = pool(base, {});
    const tx = pay(a, 0, 1000);
    add(mempool, tx);
    const after = new LedgerState(base);
    after.setAccount(a.publicKey, { balance: 100 * COIN, sequence: 1, immature: [] }); // a conflicting spend was mined
    const { dropped } = mempool.reset(after);
    expect(dropped.map((d) => [d.entry.txid, d.reason])).toEqual([[txidHex(tx), 'bad-sequence']]);
    expect(mempool.count).toBe(0);
  });

  it('lets what the new tip mined leave quietly, and still reports what it made invalid', () => {
    const a = keys();
    const b = keys();
    const base = funded(a, b);
    const { mempool } = pool(base, {});
    const mined = pay(a, 0, 1000);
    const next = pay(a, 1, 1000);
    const conflicted = pay(b, 0, 1000);
    for (const tx of [mined, next, conflicted]) add(mempool, tx);
    const after = new LedgerState(base);
    after.setAccount(a.publicKey, { ...base.account(a.publicKey), sequence: 1 }); // `mined` is in the block
    after.setAccount(b.publicKey, { ...base.account(b.publicKey), sequence: 1 }); // a conflicting spend of b's was mined
    const { dropped } = mempool.reset(after, [], (txid) => txid === txidHex(mined));
    expect(dropped.map((d) => [d.entry.txid, d.reason])).toEqual([[txidHex(conflicted), 'bad-sequence']]);
    expect(mempool.inAdmissionOrder().map((e) => e.txid)).toEqual([txidHex(next)]);
  });
});

describe('eviction without a rebuild', () => {
  it('leaves exactly the pending state a rebuild of what stays would give', () => {
    const senders = Array.from({ length: 12 }, keys);
    const payees = Array.from({ length: 3 }, keys); // receive but never send: victims' credits come back out cleanly
    const base = funded(...senders);
    const { mempool } = pool(base, { maxCount: 20, evictionBatch: 0.1 });
    let fee = 100;
    const sequence = new Map<string, number>();
    const next = (s: { publicKey: string }) => {
      const n = sequence.get(s.publicKey) ?? 0;
      sequence.set(s.publicKey, n + 1);
      return n;
    };
    let evictions = 0;
    for (let i = 0; i < 60; i++) {
      const s = senders[i % senders.length]!;
      const tx = pay(s, next(s), (fee += 37), payees[i % payees.length]!.publicKey, 1000 + i);
      try {
        evictions += add(mempool, tx).evicted.length;
      } catch {
        sequence.set(s.publicKey, sequence.get(s.publicKey)! - 1); // refused (its predecessor was evicted): not pending
      }
    }
    expect(evictions).toBeGreaterThan(0);
    const rebuilt = new LedgerState(base);
    for (const e of mempool.inAdmissionOrder()) rebuilt.applyTransaction(e.tx, { txid: e.txid, height: 10, time: 1000, coinbaseMaturity: 0 });
    for (const key of [...senders, ...payees].map((k) => k.publicKey)) {
      const { balance, sequence: seq } = mempool.pendingState().account(key);
      expect({ key, balance, seq }).toEqual({ key, balance: rebuilt.account(key).balance, seq: rebuilt.account(key).sequence });
    }
  });
});
