import { toDisplayHex, toHex } from '../hash.js';
import type { CustodyChange, LedgerState, TxContext } from '../state.js';
import type { CustodyTx } from '../tx.js';
import { ownedRecord } from './records-owned.js';
import { debit } from './signed.js';
import type { TxRule } from './rule.js';

/** Hands a record on to a new owner: only its current owner may sign one. */
export const custodyRule: TxRule<CustodyTx> = {
  check() {
    // Nothing beyond the fields every signed transaction has: the record and owner are 32 bytes by encoding.
  },

  apply(state: LedgerState, tx: CustodyTx, ctx: TxContext) {
    const sender = debit(state, tx, tx.fee, ctx);
    const signer = sender.key;
    const record = ownedRecord(state, toDisplayHex(tx.record), signer);
    const change: CustodyChange = { txid: ctx.txid, from: signer, to: toHex(tx.newOwner), height: ctx.height };
    state.setAccount(sender.key, sender.after);
    state.setRecord(record.txid, { ...record, owner: change.to, custody: [...record.custody, change] });
    state.appendAudit(record.subject, { txid: ctx.txid, kind: 'custody', record: record.txid, actor: signer, resourceType: record.resourceType, height: ctx.height, time: ctx.time });
  },
};
