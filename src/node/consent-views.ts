import type { ConsentDecision, ConsentPoint } from '../chain/consent-check.js';
import { consentStatus } from '../chain/consent-check.js';
import type { AccessEntry, ConsentRecord, Enrolment } from '../chain/consent-store.js';
import type { ConsentPointQuery } from '../http/node-api.js';
import type { AccessEntryView, ConsentCheck, ConsentView, EnrolmentView } from '../http/response-schemas.js';

/** The consent ledger's objects as the API's JSON (src/http/response-schemas.ts). */

/** The point asked for, each unset part taken from the next block's. */
export function pointOf(next: ConsentPoint, query: ConsentPointQuery): ConsentPoint {
  return { height: query.height ?? next.height, time: query.time ?? next.time };
}

export function consentView(consent: ConsentRecord, at: ConsentPoint): ConsentView {
  return {
    txid: consent.txid,
    subject: consent.subject,
    patient: consent.patient,
    grantee: consent.grantee,
    actions: [...consent.actions],
    resourceTypes: [...consent.resourceTypes],
    purposes: [...consent.purposes],
    expiry: consent.expiry ? { ...consent.expiry } : null,
    granted: { height: consent.height, time: consent.time },
    revoked: consent.revoked ? { ...consent.revoked } : null,
    status: consentStatus(consent, at),
  };
}

export function enrolmentView(enrolment: Enrolment): EnrolmentView {
  return { ...enrolment };
}

export function accessEntryView(entry: AccessEntry): AccessEntryView {
  const { subject: _subject, ...view } = entry;
  return view;
}

export function consentCheckView(decision: ConsentDecision, at: ConsentPoint): ConsentCheck {
  if (decision.allowed) return { allowed: true, consent: decision.consent.txid, reason: null, detail: `allowed by consent ${decision.consent.txid}`, at };
  return { allowed: false, consent: decision.consent?.txid ?? null, reason: decision.reason, detail: decision.message, at };
}
