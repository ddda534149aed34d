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
  // mempool policy
  | 'already-in-mempool'
  | 'fee-rate-too-low'
  | 'mempool-full'
  | 'sender-limit'
  | 'tx-too-large';

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
