import { ensure } from '../errors.js';
import { accountKey } from '../account-key.js';
import type { LedgerState, TxContext } from '../state.js';
import type { CoinbaseTx } from '../tx.js';

/**
 * The block reward: credited at once, spendable only `coinbaseMaturity` blocks later, so a reward
 * that a reorg takes back cannot already have moved on (Bitcoin's 100-block rule). Its value is
 * checked against subsidy + fees by the block (validate.ts connectBlock).
 */
export function applyCoinbase(state: LedgerState, tx: CoinbaseTx, ctx: TxContext): void {
  const key = accountKey(tx.recipient);
  const account = state.account(key);
  const balance = account.balance + tx.value;
  ensure(Number.isSafeInteger(balance), 'bad-amount', 'balance overflow');
  const immature = tx.value > 0 && ctx.coinbaseMaturity > 0 ? [...account.immature, { height: ctx.height, amount: tx.value }] : account.immature;
  state.setAccount(key, { balance, sequence: account.sequence, immature });
}
