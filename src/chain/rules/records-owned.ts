import { ensure } from '../errors.js';
import type { LedgerState, RecordState } from '../state.js';

/** The record `txid`, which `signer` must own now: only the owner amends a record or hands it on. */
export function ownedRecord(state: LedgerState, txid: string, signer: string): RecordState {
  const record = state.record(txid);
  ensure(record, 'record-not-found', `no record ${txid}`);
  ensure(record.owner === signer, 'not-record-owner', `record ${txid} is owned by ${record.owner}`);
  return record;
}
