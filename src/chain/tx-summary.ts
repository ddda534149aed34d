import { toDisplayHex, toHex } from './hash.js';
import { assertNever, type Transaction } from './tx.js';

/**
 * One line saying what a transaction does, for people reading a receipt (`carechain verify`): a
 * patient holding a consent's receipt sees whom it granted what, and until when.
 */
export function describeTx(tx: Transaction): string {
  switch (tx.kind) {
    case 'coinbase':
      return `coinbase of block ${tx.height}: ${tx.value} to ${toHex(tx.recipient)}`;
    case 'transfer':
      return `transfer of ${tx.amount} from ${toHex(tx.sender)} to ${toHex(tx.recipient)}`;
    case 'record':
      return `record of a ${tx.resourceType} for subject ${toHex(tx.subject)} by ${toHex(tx.sender)}${tx.previous ? `, ${tx.previous.relation} ${toDisplayHex(tx.previous.txid)}` : ''}`;
    case 'custody':
      return `custody of record ${toDisplayHex(tx.record)} from ${toHex(tx.sender)} to ${toHex(tx.newOwner)}`;
    case 'enrol':
      return `enrolment of subject ${toHex(tx.subject)} to patient key ${toHex(tx.patient)} by provider ${toHex(tx.sender)}, countersigned by the patient`;
    case 'consent': {
      const types = tx.resourceTypes.length ? tx.resourceTypes.join(', ') : 'every resource type';
      const purposes = tx.purposes.length ? `for ${tx.purposes.join(', ')}` : 'for any purpose';
      const until = !tx.expiry ? 'until revoked' : tx.expiry.by === 'time' ? `until ${new Date(tx.expiry.at * 1000).toISOString()} (time ${tx.expiry.at})` : `until height ${tx.expiry.at}`;
      return `consent by patient key ${toHex(tx.sender)} for subject ${toHex(tx.subject)}: ${toHex(tx.grantee)} may ${tx.actions.join(', ')} ${types} ${purposes}, ${until}`;
    }
    case 'revoke':
      return `revocation by patient key ${toHex(tx.sender)} of consent ${toDisplayHex(tx.consent)}`;
    case 'access':
      return `access by ${toHex(tx.sender)} to record ${toDisplayHex(tx.record)} for ${tx.purpose}${tx.purpose === 'ETREAT' ? ' (emergency: break-glass when no consent covers it)' : ''}`;
    default:
      return assertNever(tx);
  }
}
