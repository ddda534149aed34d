import { ensure } from '../errors.js';
import { toDisplayHex } from '../hash.js';
import type { LedgerState, TxContext } from '../state.js';
import type { RevokeTx } from '../tx.js';
import { debit } from './signed.js';
import type { TxRule } from './rule.js';

/** Ends a consent from this block on: only the patient key that granted it may, and only once. */
export const revokeRule: TxRule<RevokeTx> = {
  check() {
    // The consent's txid is 32 bytes by encoding.
  },

  apply(state: LedgerState, tx: RevokeTx, ctx: TxContext) {
    const sender = debit(state, tx, tx.fee, ctx);
    const id = toDisplayHex(tx.consent);
    const consent = state.consents.consent(id);
    ensure(consent, 'consent-not-found', `no consent ${id}`);
    ensure(consent.patient === sender.key, 'not-patient-key', `consent ${id} was granted by patient key ${consent.patient}`);
    ensure(!consent.revoked, 'consent-revoked', `consent ${id} was already revoked by ${consent.revoked?.txid}`);
    state.setAccount(sender.key, sender.after);
    state.consents.revoke(id, { txid: ctx.txid, height: ctx.height, time: ctx.time });
  },
};
