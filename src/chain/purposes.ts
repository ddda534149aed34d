/**
 * Purposes of use: the HL7 v3 ActReason codes FHIR binds Consent.provision.purpose and
 * AuditEvent.purposeOfEvent to (http://terminology.hl7.org/CodeSystem/v3-ActReason). The chain
 * accepts this fixed set, with the displays the code system gives them, so every node agrees on it.
 */
export const PURPOSE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/v3-ActReason';

export const PURPOSES: Readonly<Record<string, string>> = {
  TREAT: 'treatment',
  ETREAT: 'Emergency Treatment',
  CAREMGT: 'care management',
  COC: 'coordination of care',
  PATRQT: 'patient requested',
  FAMRQT: 'family requested',
  PWATRNY: 'power of attorney',
  HPAYMT: 'healthcare payment',
  HOPERAT: 'healthcare operations',
  HRESCH: 'healthcare research',
  PUBHLTH: 'public health',
  HLEGAL: 'legal',
  HMARKT: 'healthcare marketing',
  HDIRECT: 'directory',
  RECORDMGT: 'records management',
  PATADMIN: 'patient administration',
};

/** Emergency treatment: an access with this purpose is valid without a consent, and flagged (break-glass). */
export const BREAK_GLASS_PURPOSE = 'ETREAT';

export function isPurpose(code: string): boolean {
  return Object.hasOwn(PURPOSES, code);
}
