import { ensure, VerifyError } from '../errors.js';
import { toDisplayHex } from '../hash.js';
import { decideConsent } from '../consent-check.js';
import { BREAK_GLASS_PURPOSE, isPurpose } from '../purposes.js';
import type { LedgerState, TxContext } from '../state.js';
import type { AccessTx } from '../tx.js';
import { debit } from './signed.js';
import type { TxRule } from './rule.js';

/**
 * A provider logs that it read a record, with a purpose, in the subject's access log. Valid for the
 * record's owner, under an active consent covering read of the record's type for that purpose, or
 * without one as break-glass (purpose ETREAT), which the log flags.
 */
export const accessRule: TxRule<AccessTx> = {
  check(tx) {
    ensure(isPurpose(tx.purpose), 'bad-purpose', `"${tx.purpose}" is not a purpose of use this chain knows`);
  },

  apply(state: LedgerState, tx: AccessTx, ctx: TxContext) {
    const sender = debit(state, tx, tx.fee, ctx);
    const id = toDisplayHex(tx.record);
    const record = state.record(id);
    ensure(record, 'record-not-found', `no record ${id}`);
    let consent: string | null = null;
    let breakGlass = false;
    if (record.owner !== sender.key) {
      const query = { subject: record.subject, grantee: sender.key, action: 'read' as const, resourceTypes: [record.resourceType], purpose: tx.purpose };
      const decision = decideConsent(state.consents, query, ctx);
      if (decision.allowed) consent = decision.consent.txid;
      else if (tx.purpose === BREAK_GLASS_PURPOSE) breakGlass = true;
      else throw new VerifyError(decision.reason, decision.message);
    }
    state.setAccount(sender.key, sender.after);
    state.consents.logAccess({
      txid: ctx.txid,
      subject: record.subject,
      provider: sender.key,
      record: record.txid,
      resourceType: record.resourceType,
      purpose: tx.purpose,
      consent,
      breakGlass,
      height: ctx.height,
      time: ctx.time,
    });
  },
};
