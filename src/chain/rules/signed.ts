import { ensure } from '../errors.js';
import { accountKey } from '../account-key.js';
import type { Account, LedgerState, TxContext } from '../state.js';
import type { SignedTx } from '../tx.js';

/** What every signed transaction obeys, whatever its kind: a fee, the sender's sequence, funds it may spend. */

/** Stateless: every signed transaction pays at least 1 (the signature is checked by the caller, once, cached). */
export function checkSignedFields(tx: SignedTx): void {
  ensure(tx.fee >= 1, 'bad-fee', 'every signed transaction pays a fee of at least 1');
}

/**
 * Check the sender can pay `spend` at this height (sequence in order, mature funds enough) and
 * return the account after the debit, without writing it: a kind's apply writes it together with
 * its own changes, after all of its own checks passed.
 */
export function debit(state: LedgerState, tx: SignedTx, spend: number, ctx: TxContext): { key: string; after: Account } {
  const key = accountKey(tx.sender);
  const account = state.account(key);
  ensure(tx.sequence === account.sequence, 'bad-sequence', `sequence ${tx.sequence}, account expects ${account.sequence}`);
  const locked = lockedAt(account, ctx.height, ctx.coinbaseMaturity);
  if (account.balance - locked < spend) {
    const reason = account.balance >= spend ? 'immature-coinbase' : 'insufficient-funds';
    ensure(false, reason, `needs ${spend}, balance ${account.balance}${locked > 0 ? ` of which ${locked} is coinbase not yet mature` : ''}`);
  }
  return { key, after: { balance: account.balance - spend, sequence: account.sequence + 1, immature: unlocked(account, ctx.height, ctx.coinbaseMaturity) } };
}

/** Coinbase rewards still locked at `height`: a reward mined at h may be spent from h + maturity on. */
export function lockedAt(account: Account, height: number, maturity: number): number {
  let locked = 0;
  for (const r of account.immature) if (r.height + maturity > height) locked += r.amount;
  return locked;
}

/** The account's locked rewards with the ones mature at `height` dropped (they are plain balance now). */
export function unlocked(account: Account, height: number, maturity: number): Account['immature'] {
  return account.immature.some((r) => r.height + maturity <= height) ? account.immature.filter((r) => r.height + maturity > height) : account.immature;
}
