import type { LedgerState, TxContext } from '../state.js';
import type { SignedTx } from '../tx.js';

/**
 * One signed transaction kind's consensus rules (DESIGN: one file per kind, like Lodestar's
 * state-transition operations). `check` needs nothing but the transaction (its signature and fee are
 * checked once for all kinds); `apply` checks everything that needs the state and only then writes,
 * through LedgerState's setters, which journal each write: that journal is the kind's undo, replayed
 * backwards when a block is disconnected.
 */
export interface TxRule<T extends SignedTx> {
  check(tx: T): void;
  apply(state: LedgerState, tx: T, ctx: TxContext): void;
}
