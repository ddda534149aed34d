import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Chain } from '../../src/chain/chain.js';
import { buildCustody, buildRecord, commitmentOf, newSalt } from '../../src/chain/signing.js';
import { fromDisplayHex, sha256d, toDisplayHex, toHex } from '../../src/chain/hash.js';
import { verifyReceipt } from '../../src/chain/receipt.js';
import { txidHex, type RecordRelation } from '../../src/chain/tx.js';
import { run as verifyCommand } from '../../src/cli/commands/verify.js';
import { fundedChain, keys, mineMany, mineNext, removeTempDirs, tempDir, testNet } from './helpers.js';

const clinic = keys();
const hospital = keys();
const subject = new Uint8Array(32).fill(0x5a); // an HMAC pseudonym, never a patient id
const document = Buffer.from('{"resourceType":"Observation","code":"8867-4","value":72}');
const salt = newSalt();
/** Two funding blocks, then their rewards mature: the first record goes in the block after. */
const FUNDED = 2 + testNet.coinbaseMaturity;

afterAll(removeTempDirs);

/** A fresh chain on which the clinic and the hospital can each pay fees. */
const providersChain = () => fundedChain([clinic, hospital]);

function record(chain: Chain, who: typeof clinic, options: { previous?: { txid: string; relation: RecordRelation }; commitment?: Uint8Array } = {}) {
  return buildRecord({
    network: testNet,
    privateKey: who.privateKey,
    sequence: chain.account(who.publicKey).pendingSequence,
    fee: 2000,
    subject,
    resourceType: 'Observation',
    commitment: options.commitment ?? commitmentOf(salt, document),
    locator: 'https://fhir.example.org/Observation/1',
    ...(options.previous ? { previous: { txid: fromDisplayHex(options.previous.txid), relation: options.previous.relation } } : {}),
  });
}

function custody(chain: Chain, who: typeof clinic, recordTxid: string, to: string) {
  const sequence = chain.account(who.publicKey).pendingSequence;
  return buildCustody({ network: testNet, privateKey: who.privateKey, sequence, fee: 2000, record: fromDisplayHex(recordTxid), newOwner: to });
}

function admit(chain: Chain, tx: Parameters<Chain['acceptTransaction']>[0]): string {
  const result = chain.acceptTransaction(tx);
  if (!result.accepted) throw new Error(`${result.reason}: ${result.message}`);
  return result.txid;
}

/*
 * A record's life, one step a block: the clinic anchors it, amends it, hands it to the hospital, which
 * appends to it. Each test starts a chain of its own and replays the steps before the one it checks.
 */
async function anchor(chain: Chain): Promise<string> {
  const first = admit(chain, record(chain, clinic));
  await mineNext(chain);
  return first;
}

async function amend(chain: Chain, first: string): Promise<string> {
  const second = admit(chain, record(chain, clinic, { previous: { txid: first, relation: 'replaces' } }));
  await mineNext(chain);
  return second;
}

async function handOn(chain: Chain, second: string): Promise<void> {
  admit(chain, custody(chain, clinic, second, hospital.publicKey));
  await mineNext(chain);
  admit(chain, record(chain, hospital, { previous: { txid: second, relation: 'appends' } }));
  await mineNext(chain);
}

describe('records, ownership and the audit trail', () => {
  let chain: Chain;
  beforeEach(async () => {
    chain = await providersChain();
  });
  afterEach(async () => {
    await chain.close();
  });

  it('anchors a record owned by its provider', async () => {
    const first = admit(chain, record(chain, clinic));
    await mineNext(chain);
    expect(chain.record(first)).toMatchObject({ owner: clinic.publicKey, provider: clinic.publicKey, subject: toHex(subject), resourceType: 'Observation', amendments: [] });
    expect(chain.record(first)!.height).toBe(FUNDED + 1);
  });

  it('lets only the owner amend', async () => {
    const first = await anchor(chain);
    expect(chain.acceptTransaction(record(chain, hospital, { previous: { txid: first, relation: 'replaces' } }))).toMatchObject({ accepted: false, reason: 'not-record-owner' });
    expect(chain.acceptTransaction(record(chain, clinic, { previous: { txid: 'ab'.repeat(32), relation: 'appends' } }))).toMatchObject({ accepted: false, reason: 'record-not-found' });
    const second = admit(chain, record(chain, clinic, { previous: { txid: first, relation: 'replaces' } }));
    await mineNext(chain);
    expect(chain.record(first)).toMatchObject({ replacedBy: second, amendments: [second] });
    expect(chain.acceptTransaction(record(chain, clinic, { previous: { txid: first, relation: 'replaces' } }))).toMatchObject({ accepted: false, reason: 'record-superseded' });
    expect(chain.recordHistory(second).map((r) => r.txid)).toEqual([first, second]);
  });

  it('hands a record on with custody, after which only the new owner may act', async () => {
    const second = await amend(chain, await anchor(chain));
    expect(chain.acceptTransaction(custody(chain, hospital, second, hospital.publicKey))).toMatchObject({ accepted: false, reason: 'not-record-owner' });
    admit(chain, custody(chain, clinic, second, hospital.publicKey));
    await mineNext(chain);
    expect(chain.record(second)).toMatchObject({ owner: hospital.publicKey, provider: clinic.publicKey });
    expect(chain.acceptTransaction(record(chain, clinic, { previous: { txid: second, relation: 'appends' } }))).toMatchObject({ accepted: false, reason: 'not-record-owner' });
    const appended = admit(chain, record(chain, hospital, { previous: { txid: second, relation: 'appends' } }));
    await mineNext(chain);
    expect(chain.record(second)!.amendments).toEqual([appended]);
  });

  it('keeps the audit trail by subject, oldest first', async () => {
    const first = await anchor(chain);
    const second = await amend(chain, first);
    await handOn(chain, second);
    const trail = chain.auditTrail(toHex(subject));
    expect(trail.map((e) => [e.kind, e.actor === clinic.publicKey ? 'clinic' : 'hospital'])).toEqual([
      ['record', 'clinic'],
      ['amendment', 'clinic'],
      ['custody', 'clinic'],
      ['amendment', 'hospital'],
    ]);
    expect(trail.map((e) => e.height)).toEqual([FUNDED + 1, FUNDED + 2, FUNDED + 3, FUNDED + 4]);
    expect(trail.slice(0, 2).map((e) => e.txid)).toEqual([first, second]);
    expect(chain.auditTrail('00'.repeat(32))).toEqual([]);
  });
});

// The receipt tests only read: they share one chain and one receipt.
describe('receipts', () => {
  let chain: Chain;
  let receipt: NonNullable<ReturnType<Chain['receipt']>>;
  let sharedTip: string;

  beforeAll(async () => {
    chain = await providersChain();
    const tx = record(chain, clinic, { commitment: commitmentOf(salt, document) });
    admit(chain, tx);
    // Several transactions in the block so the Merkle path has real siblings.
    for (let i = 0; i < 4; i++) admit(chain, record(chain, hospital, { commitment: commitmentOf(newSalt(), Buffer.from(`note ${i}`)) }));
    await mineNext(chain);
    await mineMany(chain, 2);
    receipt = chain.receipt(txidHex(tx))!;
    sharedTip = chain.tip().hash;
  });
  afterEach(() => {
    expect(chain.tip().hash, 'a test changed the shared chain: give it a chain of its own').toBe(sharedTip);
  });
  afterAll(async () => {
    await chain.close();
  });

  it('verifies offline: signature, paths, height, proof of work, the headers on top and the document commitment', () => {
    expect(receipt.confirmations).toBe(3);
    expect(receipt.headers).toHaveLength(2);
    expect(receipt.merklePath.length).toBeGreaterThanOrEqual(2);
    const verdict = verifyReceipt(JSON.parse(JSON.stringify(receipt)), { opening: { document, salt } });
    expect(verdict).toMatchObject({ valid: true, status: 'unanchored' });
    expect(verdict.checks.map((c) => c.name)).toEqual(['format', 'network', 'txid', 'signature', 'merkle-path', 'tx-count', 'tx-count', 'height', 'proof-of-work', 'proof-of-work', 'header-chain', 'confirmations', 'commitment']);
  });

  it('catches each kind of forgery with its reason', () => {
    const flip = (hex: string, at: number) => hex.slice(0, at) + (hex[at] === '0' ? '1' : '0') + hex.slice(at + 1);
    expect(verifyReceipt(receipt, { opening: { document: Buffer.from('other'), salt } })).toMatchObject({ valid: false, reason: 'bad-commitment' });
    expect(verifyReceipt({ ...receipt, merklePath: [flip(receipt.merklePath[0]!, 0), ...receipt.merklePath.slice(1)] })).toMatchObject({ reason: 'bad-merkle-root' });
    expect(verifyReceipt({ ...receipt, index: receipt.index ^ 1 })).toMatchObject({ reason: 'bad-merkle-root' });
    // A signed field changed: new txid claimed, but the signature no longer matches.
    const txHex = receipt.tx;
    expect(verifyReceipt({ ...receipt, tx: flip(txHex, 100) })).toMatchObject({ valid: false });
    expect(verifyReceipt({ ...receipt, tx: flip(txHex, 100) }).checks.find((c) => c.name === 'signature')?.ok).toBe(false);
    expect(verifyReceipt({ ...receipt, blockHash: flip(receipt.blockHash, 63) })).toMatchObject({ reason: 'bad-block-hash' });
    expect(verifyReceipt({ ...receipt, network: 'nope' })).toMatchObject({ reason: 'unknown-network' });
    expect(verifyReceipt({ ...receipt, header: 'zz' })).toMatchObject({ reason: 'malformed' });
  });

  it('rejects a header that was never mined (high-hash)', () => {
    // Change the nonce: the header no longer meets its target; claim its new hash so only PoW fails.
    const header = Buffer.from(receipt.header, 'hex');
    for (let nonce = 1; nonce < 1000; nonce++) {
      header.writeUInt32LE((header.readUInt32LE(76) + nonce) >>> 0, 76);
      const verdict = verifyReceipt({ ...receipt, header: header.toString('hex'), blockHash: displayHashOf(header) });
      if (!verdict.valid) {
        expect(verdict.reason).toBe('high-hash');
        return;
      }
    }
    throw new Error('every nonce met the target');
  });

  it('carechain verify prints a verdict: 0 when anchored, 3 when unanchored, 1 when invalid', async () => {
    const dir = tempDir();
    const file = join(dir, 'receipt.json');
    const doc = join(dir, 'doc.json');
    writeFileSync(file, JSON.stringify(receipt));
    writeFileSync(doc, document);
    const out: string[] = [];
    const spy = vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
    try {
      expect(await verifyCommand([file, '--document', doc, '--salt', toHex(salt)])).toBe(3);
      expect(out.join('')).toMatch(/VALID BUT UNANCHORED/);
      out.length = 0;
      expect(await verifyCommand([file, '--document', doc, '--salt', toHex(salt), '--checkpoint', `${chain.tip().height}:${chain.tip().hash}`])).toBe(0);
      expect(out.join('')).toMatch(/^VALID: /m);
      out.length = 0;
      expect(await verifyCommand([file, '--document', doc, '--salt', '00'.repeat(32), '--json'])).toBe(1);
      expect(JSON.parse(out.join(''))).toMatchObject({ valid: false, reason: 'bad-commitment' });
    } finally {
      spy.mockRestore();
    }
    await expect(verifyCommand([join(dir, 'missing.json')])).rejects.toThrow(/cannot read/);
    await expect(verifyCommand([file, '--document', doc])).rejects.toThrow(/go together/);
  });
});

function displayHashOf(header: Uint8Array): string {
  return toDisplayHex(sha256d(header));
}
