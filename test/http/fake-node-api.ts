import { encodeHeader } from '../../src/chain/header.js';
import { fromDisplayHex } from '../../src/chain/hash.js';
import type { BlockId, ConsentCheckRequest, ConsentPointQuery, NodeApi, SubmitOutcome } from '../../src/http/node-api.js';
import type { AccessEntryView, AccountView, AuditEntryView, BlockView, ConsentView, MiningSummary, RecordView, StratumView, TransactionLookup } from '../../src/http/response-schemas.js';

export const h = (n: number) => n.toString(16).padStart(64, '0');

/** An in-memory node: three blocks, one mined and one pending transaction, one record trail. */
export class FakeNodeApi implements NodeApi {
  readonly calls: string[] = [];
  paused = false;
  threads = 2;
  /** What the next submitTransaction answers; defaults to acceptance. */
  nextSubmit: SubmitOutcome | undefined;
  submitted: Uint8Array[] = [];
  /** Set to make every method throw this value. */
  failWith: unknown;

  blocks: BlockView[] = [0, 1, 2].map((height) => ({
    hash: h(0xb000 + height),
    height,
    confirmations: 3 - height,
    size: 200 + height,
    header: { version: 1, prevHash: h(height === 0 ? 0 : 0xb000 + height - 1), merkleRoot: h(0xe000 + height), time: 1_700_000_000 + height * 10, bits: '1f00ffff', nonce: 42 + height },
    txids: [h(0xc000 + height)],
  }));
  transactions = new Map<string, TransactionLookup>([
    [h(0xc001), { tx: { txid: h(0xc001), kind: 'record', size: 180 }, block: { hash: h(0xb001), height: 1 }, confirmations: 2 }],
    [h(0xd000), { tx: { txid: h(0xd000), kind: 'transfer', size: 150, amount: 5 }, block: null, confirmations: 0 }],
  ]);
  accounts = new Map<string, AccountView>([[h(0xa1), { key: h(0xa1), balance: 5000, spendable: 4000, immature: 1000, sequence: 3, pendingSequence: 4 }]]);
  records: RecordView[] = [1, 2].map((n) => ({
    txid: h(0xc000 + n),
    provider: h(0xa1),
    owner: h(0xa1),
    subject: h(0x5b),
    resourceType: 'Observation',
    commitment: h(0xf000 + n),
    locator: `ehr://clinic/${n}`,
    ...(n === 2 ? { previous: { txid: h(0xc001), relation: 'appends' as const } } : {}),
    amendments: n === 1 ? [h(0xc002)] : [],
    custody: [],
    height: n,
    time: 1_700_000_000 + n * 10,
  }));

  /** Subject 0x5b is enrolled to patient 0xa9; it granted three consents and had five reads. */
  consents: ConsentView[] = [
    { txid: h(0xc501), subject: h(0x5b), patient: h(0xa9), grantee: h(0xa2), actions: ['read', 'append'], resourceTypes: ['Observation'], purposes: ['TREAT'], expiry: null, granted: { height: 1, time: 1_700_000_010 }, revoked: null, status: 'active' },
    { txid: h(0xc502), subject: h(0x5b), patient: h(0xa9), grantee: h(0xa3), actions: ['read'], resourceTypes: [], purposes: [], expiry: { by: 'time', at: 1_700_000_015 }, granted: { height: 1, time: 1_700_000_010 }, revoked: null, status: 'expired' },
    { txid: h(0xc503), subject: h(0x5b), patient: h(0xa9), grantee: h(0xa4), actions: ['read', 'amend'], resourceTypes: ['DocumentReference', 'Observation'], purposes: ['HRESCH', 'TREAT'], expiry: { by: 'height', at: 90 }, granted: { height: 1, time: 1_700_000_010 }, revoked: { txid: h(0xc504), height: 2, time: 1_700_000_020 }, status: 'revoked' },
  ];
  accessEntries: AccessEntryView[] = [0, 1, 2, 3, 4].map((n) => ({
    txid: h(0xac00 + n),
    provider: n === 3 ? h(0xa5) : h(0xa2),
    record: h(0xc001),
    resourceType: 'Observation',
    purpose: n === 3 ? 'ETREAT' : 'TREAT',
    consent: n === 3 ? null : h(0xc501),
    breakGlass: n === 3,
    height: 1 + Math.floor(n / 2),
    time: 1_700_000_011 + n,
  }));
  /** The last check asked for. */
  lastCheck: ConsentCheckRequest | undefined;

  #call<T>(name: string, answer: () => T): T {
    this.calls.push(name);
    if (this.failWith !== undefined) throw this.failWith;
    return answer();
  }

  #find(id: BlockId): BlockView | undefined {
    return this.blocks.find((b) => ('height' in id ? b.height === id.height : b.hash === id.hash));
  }

  status() {
    return this.#call('status', () => ({
      network: 'dev',
      height: this.blocks.length - 1,
      tip: this.blocks.at(-1)!.hash,
      tipTime: this.blocks.at(-1)!.header.time,
      lastBlockAgeSeconds: 3,
      difficulty: 1,
      bits: '1f00ffff',
      hashrate: { '10s': 1.5e7, '60s': null, '15m': null },
      mining: { paused: this.paused, threads: this.threads },
      mempool: { transactions: 1, bytes: 150, minFeeRate: 0, held: 0 },
      storage: { journal: 'ok' as const },
      uptimeSeconds: 12,
    }));
  }
  listBlocks(from: number, limit: number) {
    return this.#call(`listBlocks(${from},${limit})`, () =>
      this.blocks.slice(from, from + limit).map((b) => ({ hash: b.hash, height: b.height, time: b.header.time, txCount: b.txids.length, size: b.size })),
    );
  }
  async getBlock(id: BlockId) {
    return this.#call('getBlock', () => this.#find(id) ?? null);
  }
  getRawBlock(id: BlockId) {
    return this.#call('getRawBlock', () => (this.#find(id) ? new Uint8Array([0xca, 0xfe, this.#find(id)!.height]) : null));
  }
  /** Its blocks' header fields as 80-byte headers (the fake hashes are not the headers' real hashes). */
  listHeaders(from: number, count: number) {
    return this.#call(`listHeaders(${from},${count})`, () =>
      Buffer.concat(
        this.blocks.slice(from, from + count).map(({ header: h }) =>
          encodeHeader({ version: h.version, prevHash: fromDisplayHex(h.prevHash), merkleRoot: fromDisplayHex(h.merkleRoot), time: h.time, bits: parseInt(h.bits, 16), nonce: h.nonce }),
        ),
      ),
    );
  }
  getTransaction(txid: string) {
    return this.#call('getTransaction', () => this.transactions.get(txid) ?? null);
  }
  async submitTransaction(raw: Uint8Array) {
    return this.#call('submitTransaction', () => {
      this.submitted.push(raw);
      return this.nextSubmit ?? { accepted: true as const, txid: h(0xd001) };
    });
  }
  getReceipt(txid: string) {
    return this.#call('getReceipt', () => {
      const found = this.transactions.get(txid);
      if (!found?.block) return null;
      return {
        version: 2 as const,
        network: 'dev',
        txid,
        tx: 'aa'.repeat(found.tx.size),
        index: 1,
        merklePath: [h(0xe0)],
        txCount: 2,
        lastTx: { txid, merklePath: [h(0xe0)] },
        coinbase: { tx: 'cb'.repeat(53), merklePath: [h(0xe1)] },
        blockHash: found.block.hash,
        height: found.block.height,
        header: '00'.repeat(80),
        headers: this.blocks.slice(found.block.height + 1).map(() => '00'.repeat(80)),
        confirmations: found.confirmations,
      };
    });
  }
  mempool() {
    return this.#call('mempool', () => ({ transactions: 1, bytes: 150, minFeeRate: 0, entries: [{ txid: h(0xd000), kind: 'transfer', size: 150, fee: 300, feeRate: 2, sender: h(0xa1), addedAt: 1_700_000_100_000 }] }));
  }
  getAccount(key: string) {
    return this.#call('getAccount', () => this.accounts.get(key) ?? null);
  }
  getRecord(txid: string) {
    return this.#call('getRecord', () => this.records.find((r) => r.txid === txid) ?? null);
  }
  subjectTrail(pseudonym: string) {
    return this.#call('subjectTrail', () =>
      this.records
        .filter((r) => r.subject === pseudonym)
        .map((r): AuditEntryView => ({ txid: r.txid, kind: r.previous ? 'amendment' : 'record', record: r.previous?.txid ?? r.txid, actor: r.provider, resourceType: r.resourceType, height: r.height, time: r.time })),
    );
  }
  subjectConsents(pseudonym: string, at: ConsentPointQuery) {
    return this.#call(`subjectConsents(${JSON.stringify(at)})`, () => ({
      subject: pseudonym,
      enrolment: pseudonym === h(0x5b) ? { subject: h(0x5b), patient: h(0xa9), provider: h(0xa1), txid: h(0xc500), height: 1, time: 1_700_000_010 } : null,
      at: { height: at.height ?? 3, time: at.time ?? 1_700_000_030 },
      consents: this.consents.filter((c) => c.subject === pseudonym),
    }));
  }
  getConsent(txid: string, at: ConsentPointQuery) {
    return this.#call(`getConsent(${JSON.stringify(at)})`, () => {
      const consent = this.consents.find((c) => c.txid === txid);
      return consent ? { at: { height: at.height ?? 3, time: at.time ?? 1_700_000_030 }, consent } : null;
    });
  }
  checkConsent(query: ConsentCheckRequest) {
    return this.#call('checkConsent', () => {
      this.lastCheck = query;
      const match = this.consents.find((c) => c.subject === query.subject && c.grantee === query.grantee && c.status === 'active');
      const at = { height: query.height ?? 3, time: query.time ?? 1_700_000_030 };
      return match
        ? { allowed: true, consent: match.txid, reason: null, detail: `allowed by consent ${match.txid}`, at }
        : { allowed: false, consent: null, reason: 'no-consent' as const, detail: 'no consent covers it', at };
    });
  }
  accessLog(pseudonym: string, page: { limit: number; before?: number }) {
    return this.#call(`accessLog(${page.limit},${page.before})`, () => {
      const all = pseudonym === h(0x5b) ? this.accessEntries : [];
      const end = Math.min(page.before ?? all.length, all.length);
      const entries = all.slice(Math.max(0, end - page.limit), end).reverse();
      const next = end - entries.length;
      return { subject: pseudonym, total: all.length, entries, next: next > 0 ? next : null };
    });
  }
  mining(): MiningSummary {
    return this.#call('mining', () => ({
      paused: this.paused,
      threads: this.threads,
      kernel: 'simd',
      hashrate: { total: [1.5e7, null, null], highest: 1.6e7, threads: Array.from({ length: this.threads }, () => [7.5e6, null, null] as [number, null, null]) },
      hashesTotal: 9e8,
      blocksFound: 3,
      job: { id: '7', height: 3, target: h(0xffff), bits: '1f00ffff', difficulty: 1 },
      uptimeSeconds: 12,
    }));
  }
  stratum(): StratumView {
    return this.#call('stratum', () => ({
      enabled: true,
      url: 'stratum+tcp://127.0.0.1:3333',
      hashrate: 2 ** 32 / 5,
      sessions: [{ worker: `${h(0xa1)}.rig1`, address: '127.0.0.1', extranonce1: '0a000000', difficulty: 0.5, sharesAccepted: 4, sharesRejected: 1, hashrate: 2 ** 32 / 5, lastShareAt: 1_700_000_100, connectedAt: 1_700_000_000, userAgent: 'cpuminer/2.5.1' }],
    }));
  }
  pauseMining() {
    this.#call('pauseMining', () => (this.paused = true));
  }
  resumeMining() {
    this.#call('resumeMining', () => (this.paused = false));
  }
  setThreads(threads: number) {
    this.#call(`setThreads(${threads})`, () => (this.threads = threads));
  }
  metrics() {
    return this.#call('metrics', () => ({ contentType: 'text/plain; version=0.0.4; charset=utf-8', body: 'carechain_chain_height 2\n' }));
  }
  peers() {
    return this.#call('peers', () => ({ enabled: true, id: '12D3KooWFake', addresses: ['/ip4/127.0.0.1/tcp/9333/p2p/12D3KooWFake'], peers: [], banned: [] }));
  }
  connectPeer(addr: string) {
    return this.#call(`connectPeer(${addr})`, () => ({ id: '12D3KooWOther', addresses: [addr], direction: 'outbound' as const, score: 0, tipHeight: 2, latencyMs: 1, since: '2026-01-01T00:00:00.000Z' }));
  }
  disconnectPeer(id: string, banSeconds?: number) {
    return this.#call(`disconnectPeer(${id},${banSeconds ?? ''})`, () => ({ disconnected: true, bannedUntil: banSeconds === undefined ? null : '2026-01-01T00:00:00.000Z' }));
  }
}
