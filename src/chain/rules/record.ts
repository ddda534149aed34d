import { ensure } from '../errors.js';
import { toDisplayHex, toHex } from '../hash.js';
import type { LedgerState, RecordState, TxContext } from '../state.js';
import { MAX_LOCATOR_BYTES, type RecordTx } from '../tx.js';
import { debit } from './signed.js';
import type { TxRule } from './rule.js';
import { amendableRecord } from './records-consented.js';

/** A FHIR resource name: an upper-case letter then letters (DocumentReference, Observation, …). */
export const RESOURCE_TYPE_PATTERN = /^[A-Z][A-Za-z]{1,63}$/;

/**
 * Anchors a salted document commitment for a pseudonymous subject; the signer becomes its owner.
 * With `previous` it amends a record: `replaces` (once) or `appends`; the owner may, and another
 * provider under the patient's consent (records-consented.ts).
 */
export const recordRule: TxRule<RecordTx> = {
  check(tx) {
    ensure(RESOURCE_TYPE_PATTERN.test(tx.resourceType), 'bad-resource-type', `"${tx.resourceType}" is not a FHIR resource name`);
    ensure(Buffer.byteLength(tx.locator, 'utf8') <= MAX_LOCATOR_BYTES, 'locator-too-long', `locator over ${MAX_LOCATOR_BYTES} bytes`);
  },

  apply(state: LedgerState, tx: RecordTx, ctx: TxContext) {
    const sender = debit(state, tx, tx.fee, ctx);
    const subject = toHex(tx.subject);
    const signer = sender.key;
    const target = tx.previous ? amendableRecord(state, toDisplayHex(tx.previous.txid), signer, { relation: tx.previous.relation, resourceType: tx.resourceType }, ctx) : undefined;
    const previous = target?.record;
    if (previous) {
      ensure(previous.subject === subject, 'record-subject-mismatch', 'an amendment must keep the subject');
      ensure(!(tx.previous!.relation === 'replaces' && previous.replacedBy), 'record-superseded', `record ${previous.txid} was already replaced by ${previous.replacedBy}`);
    }
    state.setAccount(sender.key, sender.after);
    const record: RecordState = {
      txid: ctx.txid,
      provider: signer,
      owner: signer,
      subject,
      resourceType: tx.resourceType,
      commitment: toHex(tx.commitment),
      locator: tx.locator,
      amendments: [],
      custody: [],
      height: ctx.height,
      time: ctx.time,
    };
    if (previous && tx.previous) {
      record.previous = { txid: previous.txid, relation: tx.previous.relation };
      const amended = { ...previous, amendments: [...previous.amendments, ctx.txid] };
      if (tx.previous.relation === 'replaces') amended.replacedBy = ctx.txid;
      state.setRecord(previous.txid, amended);
    }
    state.setRecord(ctx.txid, record);
    state.appendAudit(subject, {
      txid: ctx.txid,
      kind: previous ? 'amendment' : 'record',
      record: ctx.txid,
      actor: signer,
      resourceType: tx.resourceType,
      height: ctx.height,
      time: ctx.time,
      ...(target?.consent ? { consent: target.consent } : {}),
    });
  },
};
