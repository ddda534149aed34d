import type { ConsentReader, ConsentRecord } from './consent-store.js';
import type { ConsentAction, ConsentExpiry } from './tx.js';

/**
 * Whether a provider may act on a subject's records under the patient's consents, at a point of the
 * chain. One function decides for the consensus rules (at a block's height and time) and for
 * `GET /consents/check` (at the next block, or a point asked for), so the two cannot disagree.
 *
 * At a point {height, time} a consent is
 * - `pending` when granted in a block above `height` (it does not exist yet there);
 * - `revoked` when its revocation's block is at or below `height`;
 * - `expired` when time ≥ its expiry time (or height ≥ its expiry height): a consent expiring at T
 *   covers a block whose time is T − 1 and not one whose time is T;
 * - `active` otherwise.
 */
export type ConsentStatus = 'active' | 'expired' | 'revoked' | 'pending';

export interface ConsentPoint {
  height: number;
  /** Unix seconds: a block's header time. */
  time: number;
}

export interface ConsentQuery {
  subject: string;
  grantee: string;
  action: ConsentAction;
  /** Every resource type the act touches (an amendment: the amended record's and the new one's). */
  resourceTypes: readonly string[];
  /** The purpose of a read; record amendments carry none. */
  purpose?: string;
}

export type ConsentDenial = 'not-enrolled' | 'no-consent' | 'consent-expired' | 'consent-revoked';

export type ConsentDecision =
  | { allowed: true; consent: ConsentRecord }
  /** `consent`: the newest covering consent, when the denial is that it expired or was revoked. */
  | { allowed: false; reason: ConsentDenial; consent: ConsentRecord | null; message: string };

/**
 * The newest active consent between the pair that covers the act allows it. Otherwise the newest
 * covering consent says why not (revoked, or expired); with none covering it is `no-consent`, and
 * for a subject nobody enrolled, `not-enrolled`. Cost: the consents of this one pair.
 */
export function decideConsent(store: Pick<ConsentReader, 'enrolment' | 'between'>, query: ConsentQuery, at: ConsentPoint): ConsentDecision {
  if (!store.enrolment(query.subject)) {
    return { allowed: false, reason: 'not-enrolled', consent: null, message: `subject ${query.subject} has no enrolled patient key` };
  }
  const consents = store.between(query.subject, query.grantee);
  let newestCovering: { consent: ConsentRecord; status: ConsentStatus } | undefined;
  for (let i = consents.length - 1; i >= 0; i--) {
    const consent = consents[i]!;
    if (!covers(consent, query)) continue;
    const status = consentStatus(consent, at);
    if (status === 'active') return { allowed: true, consent };
    if (status !== 'pending') newestCovering ??= { consent, status };
  }
  const what = `${query.action} of ${query.resourceTypes.join('+')}${query.purpose ? ` for ${query.purpose}` : ''}`;
  if (!newestCovering) {
    const others = consents.length > 0 ? ` (${consents.length} consent${consents.length === 1 ? '' : 's'} between them cover other acts)` : '';
    return { allowed: false, reason: 'no-consent', consent: null, message: `no consent lets ${query.grantee} ${what}${others}` };
  }
  const { consent, status } = newestCovering;
  if (status === 'revoked') {
    return { allowed: false, reason: 'consent-revoked', consent, message: `consent ${consent.txid} for ${what} was revoked at height ${consent.revoked!.height}` };
  }
  return { allowed: false, reason: 'consent-expired', consent, message: `consent ${consent.txid} for ${what} expired (${describeExpiry(consent.expiry!)})` };
}

export function consentStatus(consent: ConsentRecord, at: ConsentPoint): ConsentStatus {
  if (consent.height > at.height) return 'pending';
  if (consent.revoked && consent.revoked.height <= at.height) return 'revoked';
  if (consent.expiry && isExpired(consent.expiry, at)) return 'expired';
  return 'active';
}

/** Expired at the point: active while time < at (or height < at); at exactly the expiry it is over. */
export function isExpired(expiry: ConsentExpiry, at: ConsentPoint): boolean {
  return expiry.by === 'time' ? at.time >= expiry.at : at.height >= expiry.at;
}

/** Whether the consent grants the action on every resource type of the query, for its purpose. */
export function covers(consent: ConsentRecord, query: ConsentQuery): boolean {
  if (!consent.actions.includes(query.action)) return false;
  if (consent.resourceTypes.length > 0 && !query.resourceTypes.every((t) => consent.resourceTypes.includes(t))) return false;
  if (query.purpose !== undefined && consent.purposes.length > 0 && !consent.purposes.includes(query.purpose)) return false;
  return true;
}

function describeExpiry(expiry: ConsentExpiry): string {
  return expiry.by === 'time' ? `at time ${expiry.at}, ${new Date(expiry.at * 1000).toISOString()}` : `at height ${expiry.at}`;
}
