import { ensure } from '../errors.js';
import { toHex } from '../hash.js';
import type { LedgerState, TxContext } from '../state.js';
import type { EnrolTx } from '../tx.js';
import { debit } from './signed.js';
import type { TxRule } from './rule.js';

/**
 * Links a subject pseudonym to a patient key, once: from then on that key alone grants and revokes
 * consents for the subject. The signer must own one of the subject's records, or the subject has none
 * yet (a provider enrolling a new patient). The patient's countersignature is checked with the
 * signature, once per txid (signing.ts verifyTxSignature): a stateless fact about the transaction.
 */
export const enrolRule: TxRule<EnrolTx> = {
  check() {
    // Subject and patient key are 32 bytes by encoding; the countersignature goes with the signature.
  },

  apply(state: LedgerState, tx: EnrolTx, ctx: TxContext) {
    const sender = debit(state, tx, tx.fee, ctx);
    const subject = toHex(tx.subject);
    const enrolled = state.consents.enrolment(subject);
    ensure(!enrolled, 'already-enrolled', `subject ${subject} was enrolled by ${enrolled?.txid}`);
    ensure(ownsRecordOf(state, subject, sender.key), 'not-subject-provider', `${sender.key} owns none of subject ${subject}'s records`);
    state.setAccount(sender.key, sender.after);
    state.consents.enrol({ subject, patient: toHex(tx.patient), provider: sender.key, txid: ctx.txid, height: ctx.height, time: ctx.time });
  },
};

/** True when the subject has no records, or `provider` owns at least one of them now. */
function ownsRecordOf(state: LedgerState, subject: string, provider: string): boolean {
  let any = false;
  for (const event of state.auditTrail(subject)) {
    if (event.kind === 'custody') continue;
    any = true;
    if (state.record(event.record)?.owner === provider) return true;
  }
  return !any;
}
