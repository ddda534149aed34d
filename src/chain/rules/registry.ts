import type { LedgerState, TxContext } from '../state.js';
import type { SignedTx, Transaction } from '../tx.js';
import { accessRule } from './access.js';
import { applyCoinbase } from './coinbase.js';
import { consentRule } from './consent.js';
import { custodyRule } from './custody.js';
import { enrolRule } from './enrol.js';
import { recordRule } from './record.js';
import { revokeRule } from './revoke.js';
import type { TxRule } from './rule.js';
import { checkSignedFields } from './signed.js';
import { transferRule } from './transfer.js';

/**
 * The rules of every signed kind, by kind. The mapped type makes the table exhaustive: a kind added
 * to SignedTx does not compile until its rules module is here.
 */
const RULES: { [K in SignedTx['kind']]: TxRule<Extract<SignedTx, { kind: K }>> } = {
  transfer: transferRule,
  record: recordRule,
  custody: custodyRule,
  enrol: enrolRule,
  consent: consentRule,
  revoke: revokeRule,
  access: accessRule,
};

function ruleOf<T extends SignedTx>(tx: T): TxRule<T> {
  return RULES[tx.kind] as unknown as TxRule<T>;
}

/** The stateless rules of a signed transaction (its signature excepted: the caller checks it once, cached). */
export function checkTxFields(tx: SignedTx): void {
  checkSignedFields(tx);
  ruleOf(tx).check(tx);
}

/** Apply one transaction to the state, or throw a VerifyError having changed nothing. */
export function applyTx(state: LedgerState, tx: Transaction, ctx: TxContext): void {
  if (tx.kind === 'coinbase') applyCoinbase(state, tx, ctx);
  else ruleOf(tx).apply(state, tx, ctx);
}
