import type { ConsentView } from '../response-schemas.js';
import { coding, EXTENSIONS, IDENTIFIERS, instant, purposeCoding, referenceTo, SYSTEMS } from './codes.js';
import type { FhirResource } from './bundle.js';

/**
 * A ledger consent as a FHIR R4 Consent: the patient (the subject pseudonym) and the patient key that
 * signed it as performer, scope patient-privacy, and one permit provision naming the grantee (actor),
 * the actions, the resource types (class), the purposes and the period. A revoked or expired consent
 * is `inactive`, its period ending at the revocation or expiry.
 */
export function fhirConsent(consent: ConsentView): FhirResource {
  const end = endOf(consent);
  const extension = consent.revoked ? [{ url: EXTENSIONS.revokedBy, valueIdentifier: { system: IDENTIFIERS.tx, value: consent.revoked.txid } }] : [];
  return {
    resourceType: 'Consent',
    id: consent.txid,
    ...(extension.length ? { extension } : {}),
    identifier: [{ system: IDENTIFIERS.tx, value: consent.txid }],
    status: STATUS[consent.status],
    scope: { coding: [coding(SYSTEMS.consentScope, 'patient-privacy', 'Privacy Consent')] },
    category: [{ coding: [coding(SYSTEMS.loinc, '59284-0')] }],
    patient: referenceTo(IDENTIFIERS.subject, consent.subject, 'Patient'),
    dateTime: instant(consent.granted.time),
    performer: [referenceTo(IDENTIFIERS.key, consent.patient, 'Patient', 'patient key')],
    policyRule: { coding: [coding(SYSTEMS.actCode, 'OPTIN', 'opt-in')] },
    provision: {
      ...(consent.expiry?.by === 'height' ? { extension: [{ url: EXTENSIONS.expiresAtHeight, valueUnsignedInt: consent.expiry.at }] } : {}),
      type: 'permit',
      period: { start: instant(consent.granted.time), ...(end !== undefined ? { end: instant(end) } : {}) },
      actor: [{ role: { coding: [coding(SYSTEMS.participationType, 'IRCP', 'information recipient')] }, reference: referenceTo(IDENTIFIERS.key, consent.grantee, undefined, 'provider key') }],
      action: consent.actions.map((a) => ({ coding: [ACTIONS[a], coding(SYSTEMS.ledgerConsentAction, a)] })),
      ...(consent.resourceTypes.length ? { class: consent.resourceTypes.map((t) => coding(SYSTEMS.resourceTypes, t)) } : {}),
      ...(consent.purposes.length ? { purpose: consent.purposes.map(purposeCoding) } : {}),
    },
  };
}

const STATUS: Record<ConsentView['status'], string> = { active: 'active', expired: 'inactive', revoked: 'inactive', pending: 'proposed' };

/** The nearest HL7 consent action: read is access, append collects, amend corrects. */
const ACTIONS = {
  read: coding(SYSTEMS.consentAction, 'access', 'Access'),
  append: coding(SYSTEMS.consentAction, 'collect', 'Collect'),
  amend: coding(SYSTEMS.consentAction, 'correct', 'Access and Correct'),
} as const;

/** When the permit ended or will end, in unix seconds: the revocation, or a time expiry, whichever is first. */
function endOf(consent: ConsentView): number | undefined {
  const times = [consent.revoked?.time, consent.expiry?.by === 'time' ? consent.expiry.at : undefined].filter((t): t is number => t !== undefined);
  return times.length ? Math.min(...times) : undefined;
}
