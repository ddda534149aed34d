import { ensure, VerifyError } from '../errors.js';
import { decideConsent } from '../consent-check.js';
import type { LedgerState, RecordState, TxContext } from '../state.js';
import type { RecordRelation } from '../tx.js';

/**
 * The record `txid` that `signer` amends with `relation`, and the consent that lets it when it is not
 * the owner. The owner may always; another provider only when the subject is enrolled and an active
 * consent covers the action (append for `appends`, amend for `replaces`) on both the amended record's
 * type and the new record's. A subject nobody enrolled keeps the owner-only rule (not-record-owner).
 */
export function amendableRecord(
  state: LedgerState,
  txid: string,
  signer: string,
  amendment: { relation: RecordRelation; resourceType: string },
  ctx: TxContext,
): { record: RecordState; consent?: string } {
  const record = state.record(txid);
  ensure(record, 'record-not-found', `no record ${txid}`);
  if (record.owner === signer) return { record };
  ensure(state.consents.enrolment(record.subject), 'not-record-owner', `record ${txid} is owned by ${record.owner}`);
  const resourceTypes = record.resourceType === amendment.resourceType ? [record.resourceType] : [record.resourceType, amendment.resourceType];
  const action = amendment.relation === 'appends' ? 'append' : 'amend';
  const decision = decideConsent(state.consents, { subject: record.subject, grantee: signer, action, resourceTypes }, ctx);
  if (!decision.allowed) throw new VerifyError(decision.reason, decision.message);
  return { record, consent: decision.consent.txid };
}
