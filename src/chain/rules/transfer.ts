import { ensure } from '../errors.js';
import { accountKey } from '../account-key.js';
import type { LedgerState, TxContext } from '../state.js';
import type { TransferTx } from '../tx.js';
import { debit } from './signed.js';
import type { TxRule } from './rule.js';

/** Moves coins from the signer to a recipient. */
export const transferRule: TxRule<TransferTx> = {
  check(tx) {
    ensure(tx.amount >= 1, 'bad-amount', 'a transfer moves at least 1');
  },

  apply(state: LedgerState, tx: TransferTx, ctx: TxContext) {
    const sender = debit(state, tx, tx.fee + tx.amount, ctx);
    const to = accountKey(tx.recipient);
    // A transfer to oneself: the credit lands on the debited account, not on the stale read.
    const target = to === sender.key ? sender.after : state.account(to);
    const balance = target.balance + tx.amount;
    ensure(Number.isSafeInteger(balance), 'bad-amount', 'balance overflow');
    state.setAccount(sender.key, sender.after);
    state.setAccount(to, { ...target, balance });
  },
};
