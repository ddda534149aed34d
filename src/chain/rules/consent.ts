import { ensure } from '../errors.js';
import { bytesEqual, toHex } from '../hash.js';
import { isPurpose } from '../purposes.js';
import type { LedgerState, TxContext } from '../state.js';
import { CONSENT_ACTIONS, type ConsentTx } from '../tx.js';
import { isExpired } from '../consent-check.js';
import { RESOURCE_TYPE_PATTERN } from './record.js';
import { debit } from './signed.js';
import type { TxRule } from './rule.js';

/** At most this many resource types and purposes in one consent (none listed = all). */
export const MAX_CONSENT_TYPES = 16;
export const MAX_CONSENT_PURPOSES = 16;

/**
 * A patient's grant: the key enrolled for the subject lets a provider read, append to or amend the
 * subject's records of the listed types, for the listed purposes, until it expires or is revoked.
 */
export const consentRule: TxRule<ConsentTx> = {
  check(tx) {
    ensure(tx.actions.length > 0, 'bad-consent', 'a consent grants at least one of read, append, amend');
    ensure(new Set(tx.actions).size === tx.actions.length, 'bad-consent', 'an action is listed twice');
    ensure(tx.resourceTypes.length <= MAX_CONSENT_TYPES, 'bad-consent', `more than ${MAX_CONSENT_TYPES} resource types`);
    for (const type of tx.resourceTypes) ensure(RESOURCE_TYPE_PATTERN.test(type), 'bad-resource-type', `"${type}" is not a FHIR resource name`);
    ensure(new Set(tx.resourceTypes).size === tx.resourceTypes.length, 'bad-consent', 'a resource type is listed twice');
    ensure(tx.purposes.length <= MAX_CONSENT_PURPOSES, 'bad-consent', `more than ${MAX_CONSENT_PURPOSES} purposes`);
    for (const purpose of tx.purposes) ensure(isPurpose(purpose), 'bad-purpose', `"${purpose}" is not a purpose of use this chain knows`);
    ensure(new Set(tx.purposes).size === tx.purposes.length, 'bad-consent', 'a purpose is listed twice');
    ensure(!bytesEqual(tx.grantee, tx.sender), 'bad-consent', 'a patient key does not consent to itself');
  },

  apply(state: LedgerState, tx: ConsentTx, ctx: TxContext) {
    const sender = debit(state, tx, tx.fee, ctx);
    const subject = toHex(tx.subject);
    const enrolment = state.consents.enrolment(subject);
    ensure(enrolment, 'not-enrolled', `subject ${subject} has no enrolled patient key`);
    ensure(enrolment.patient === sender.key, 'not-patient-key', `subject ${subject} is enrolled to patient key ${enrolment.patient}`);
    ensure(!tx.expiry || !isExpired(tx.expiry, ctx), 'consent-expired', `the consent expires at ${tx.expiry?.by} ${tx.expiry?.at}, not after this block`);
    state.setAccount(sender.key, sender.after);
    state.consents.grant({
      txid: ctx.txid,
      subject,
      patient: sender.key,
      grantee: toHex(tx.grantee),
      actions: CONSENT_ACTIONS.filter((a) => tx.actions.includes(a)),
      resourceTypes: [...tx.resourceTypes],
      purposes: [...tx.purposes],
      expiry: tx.expiry ? { ...tx.expiry } : null,
      height: ctx.height,
      time: ctx.time,
      revoked: null,
    });
  },
};
