/**
 * Every consensus and policy rule rejects with a `VerifyError` carrying a stable reason code:
 * the code is what metrics label, what the HTTP layer maps to a problem type and what tests check.
 */
export type RejectReason =
  // decoding
  | 'malformed'
  | 'malformed-tx'
  // header and block
  | 'high-hash'
  | 'bad-diffbits'
  | 'time-too-old'
  | 'time-too-new'
  | 'bad-merkle-root'
  | 'block-too-large'
  | 'bad-cb-missing'
  | 'bad-cb-multiple'
  | 'bad-cb-height'
  | 'bad-cb-amount'
  | 'dup-txid'
  | 'prev-blk-not-found'
  | 'prev-blk-invalid'
  | 'bad-header-chain'
  | 'duplicate'
  // transactions
  | 'bad-signature'
  | 'bad-sequence'
  | 'bad-fee'
  | 'bad-amount'
  | 'insufficient-funds'
  | 'bad-resource-type'
  | 'locator-too-long'
  | 'record-not-found'
  | 'not-record-owner'
  | 'record-superseded'
  | 'record-subject-mismatch'
  | 'coinbase-not-allowed'
  | 'immature-coinbase'
  // enrolment and consent
  | 'bad-consent'
  | 'bad-purpose'
  | 'already-enrolled'
  | 'not-subject-provider'
  | 'not-enrolled'
  | 'not-patient-key'
  | 'consent-not-found'
  | 'no-consent'
  | 'consent-expired'
  | 'consent-revoked'
  // mempool policy
  | 'already-in-mempool'
  | 'already-mined'
  | 'fee-rate-too-low'
  | 'mempool-full'
  | 'mempool-min-fee'
  | 'sender-limit'
  | 'tx-too-large';

/**
 * What a reject says about whoever sent the object, for the peer layer's scores (bcoin's ban score,
 * Lodestar's REJECT / IGNORE):
 * - `fatal`: no honest node sends it (bad proof of work, a broken header chain, a signature that
 *   fails, a block breaking consensus with a body its header commits to);
 * - `low`: malformed bytes or a body that does not match its header: maybe a buggy or mutating
 *   relay, tolerated a few times;
 * - `none`: merely unwanted or early — known, stale, too cheap, a parent not yet seen, a clock ahead.
 */
export type PenaltyClass = 'fatal' | 'low' | 'none';

/**
 * The class of a reject, for a block or for a transaction sent on its own. Honest nodes validate
 * before they relay, so a block whose body its header commits to and that breaks any rule is fatal;
 * the same state rule on a lone transaction may be mere timing (a sequence not yet reached).
 */
export function penaltyOf(reason: RejectReason, object: 'block' | 'tx'): PenaltyClass {
  if (object === 'tx') return TX_PENALTY[reason];
  if (EARLY_REASONS.has(reason)) return 'none';
  return BODY_MUTATION_REASONS.has(reason) ? 'low' : 'fatal';
}

/** Reasons that say a block came early or twice, not that it is bad: it may be valid later. */
export const EARLY_REASONS: ReadonlySet<RejectReason> = new Set(['prev-blk-not-found', 'time-too-new', 'duplicate']);

/** Every reason's class on a lone transaction, spelled out so a new reason cannot be added without one. */
const TX_PENALTY: Record<RejectReason, PenaltyClass> = {
  malformed: 'low',
  'malformed-tx': 'low',
  'high-hash': 'fatal',
  'bad-diffbits': 'fatal',
  'time-too-old': 'fatal',
  'time-too-new': 'none',
  'bad-merkle-root': 'low',
  'block-too-large': 'low',
  'bad-cb-missing': 'fatal',
  'bad-cb-multiple': 'fatal',
  'bad-cb-height': 'fatal',
  'bad-cb-amount': 'fatal',
  'dup-txid': 'low',
  'prev-blk-not-found': 'none',
  'prev-blk-invalid': 'fatal',
  'bad-header-chain': 'fatal',
  duplicate: 'none',
  'bad-signature': 'fatal',
  'bad-sequence': 'none',
  'bad-fee': 'fatal',
  'bad-amount': 'fatal',
  'insufficient-funds': 'none',
  'bad-resource-type': 'fatal',
  'locator-too-long': 'fatal',
  'record-not-found': 'none',
  'not-record-owner': 'none',
  'record-superseded': 'none',
  'record-subject-mismatch': 'none',
  'coinbase-not-allowed': 'fatal',
  'immature-coinbase': 'none',
  // A malformed consent or unknown purpose is never valid; the rest depend on the state a lone
  // transaction may simply be early (or late) for: an enrolment or consent not yet mined, a revocation.
  'bad-consent': 'fatal',
  'bad-purpose': 'fatal',
  'already-enrolled': 'none',
  'not-subject-provider': 'none',
  'not-enrolled': 'none',
  'not-patient-key': 'none',
  'consent-not-found': 'none',
  'no-consent': 'none',
  'consent-expired': 'none',
  'consent-revoked': 'none',
  'already-in-mempool': 'none',
  'already-mined': 'none',
  'fee-rate-too-low': 'none',
  'mempool-full': 'none',
  'mempool-min-fee': 'none',
  'sender-limit': 'none',
  'tx-too-large': 'low',
};

/**
 * Reasons a block body may show without its header being bad: the same header with the right body
 * is still a valid block (Bitcoin's "mutated" blocks), so such a hash is never marked invalid.
 */
export const BODY_MUTATION_REASONS: ReadonlySet<RejectReason> = new Set(['malformed', 'malformed-tx', 'bad-merkle-root', 'dup-txid']);

/** A rule was broken. `reason` is stable and machine-readable; `message` is for people. */
export class VerifyError extends Error {
  constructor(
    readonly reason: RejectReason,
    message: string = reason,
  ) {
    super(message);
    this.name = 'VerifyError';
  }
}

/** Shorthand for rule checks: `ensure(cond, 'bad-fee', 'fee must be at least 1')`. */
export function ensure(condition: unknown, reason: RejectReason, message?: string): asserts condition {
  if (!condition) throw new VerifyError(reason, message);
}
