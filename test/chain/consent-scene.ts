import type { Chain, ChainOptions } from '../../src/chain/chain.js';
import { fromDisplayHex, toHex } from '../../src/chain/hash.js';
import type { KeyPair } from '../../src/chain/keys.js';
import { buildAccess, buildConsent, buildEnrol, buildRecord, buildRevoke, commitmentOf, newSalt } from '../../src/chain/signing.js';
import type { ConsentAction, ConsentExpiry, RecordRelation, SignedTx } from '../../src/chain/tx.js';
import { keys, mineNext, NOW, openChain, testNet } from './helpers.js';

/**
 * A chain with a patient, a clinic (which anchors the patient's records), a hospital and a lab, each
 * funded by a matured coinbase, and a clock the test moves. Builders sign with the pending sequence.
 */
export class ConsentScene {
  readonly patient = keys();
  readonly clinic = keys();
  readonly hospital = keys();
  readonly lab = keys();
  /** The clinic's HMAC pseudonym for the patient. */
  readonly subject = new Uint8Array(32).fill(0x5c);
  clock = NOW;

  private constructor(public chain: Chain) {}

  static async open(options: Partial<ChainOptions> = {}): Promise<ConsentScene> {
    let scene: ConsentScene | undefined;
    const chain = await openChain({ now: () => scene?.clock ?? NOW, ...options });
    scene = new ConsentScene(chain);
    for (const who of [scene.patient, scene.clinic, scene.hospital, scene.lab]) await mineNext(chain, { recipient: who.publicKey });
    for (let i = 0; i < testNet.coinbaseMaturity; i++) await mineNext(chain);
    return scene;
  }

  get subjectHex(): string {
    return toHex(this.subject);
  }

  private signed(who: KeyPair) {
    return { network: testNet, privateKey: who.privateKey, sequence: this.chain.account(who.publicKey).pendingSequence, fee: 1000 };
  }

  enrol(provider: KeyPair = this.clinic, patient: KeyPair = this.patient, subject = this.subject) {
    return buildEnrol({ ...this.signed(provider), subject, patientPrivateKey: patient.privateKey });
  }

  consent(
    grantee: KeyPair,
    options: { actions?: ConsentAction[]; types?: string[]; purposes?: string[]; expiry?: ConsentExpiry; signer?: KeyPair; subject?: Uint8Array } = {},
  ) {
    return buildConsent({
      ...this.signed(options.signer ?? this.patient),
      subject: options.subject ?? this.subject,
      grantee: grantee.publicKey,
      actions: options.actions ?? ['read'],
      resourceTypes: options.types ?? [],
      purposes: options.purposes ?? [],
      ...(options.expiry ? { expiry: options.expiry } : {}),
    });
  }

  revoke(consentTxid: string, signer: KeyPair = this.patient) {
    return buildRevoke({ ...this.signed(signer), consent: fromDisplayHex(consentTxid) });
  }

  record(provider: KeyPair, options: { type?: string; previous?: { txid: string; relation: RecordRelation } } = {}) {
    return buildRecord({
      ...this.signed(provider),
      subject: this.subject,
      resourceType: options.type ?? 'Observation',
      commitment: commitmentOf(newSalt(), Buffer.from('a document')),
      locator: 'ehr://clinic/doc/1',
      ...(options.previous ? { previous: { txid: fromDisplayHex(options.previous.txid), relation: options.previous.relation } } : {}),
    });
  }

  access(provider: KeyPair, recordTxid: string, purpose = 'TREAT') {
    return buildAccess({ ...this.signed(provider), record: fromDisplayHex(recordTxid), purpose });
  }

  /** Admit or throw with the reason. */
  admit(tx: SignedTx): string {
    const result = this.chain.acceptTransaction(tx);
    if (!result.accepted) throw new Error(`${result.reason}: ${result.message}`);
    return result.txid;
  }

  /** The reason the mempool refuses `tx` (undefined when it accepts it). */
  refusal(tx: SignedTx): string | undefined {
    const result = this.chain.acceptTransaction(tx);
    return result.accepted ? undefined : result.reason;
  }

  /** Admit each (a function is built only when its turn comes: sequences follow) and mine one block holding them. */
  async mine(...txs: Array<SignedTx | (() => SignedTx)>): Promise<string[]> {
    const ids = txs.map((tx) => this.admit(typeof tx === 'function' ? tx() : tx));
    await mineNext(this.chain);
    return ids;
  }
}
