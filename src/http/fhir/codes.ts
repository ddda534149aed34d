import { PURPOSES, PURPOSE_SYSTEM } from '../../chain/purposes.js';

/**
 * The code systems and identifier systems carechain's FHIR R4 output uses. HL7's own systems carry
 * their codes with HL7's displays (the tests check them against the code systems HL7 publishes);
 * what only this ledger knows is named under urn:carechain.
 */
export const SYSTEMS = {
  consentScope: 'http://terminology.hl7.org/CodeSystem/consentscope',
  consentAction: 'http://terminology.hl7.org/CodeSystem/consentaction',
  loinc: 'http://loinc.org',
  actCode: 'http://terminology.hl7.org/CodeSystem/v3-ActCode',
  actReason: PURPOSE_SYSTEM,
  participationType: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType',
  resourceTypes: 'http://hl7.org/fhir/resource-types',
  dicom: 'http://dicom.nema.org/resources/ontology/DCM',
  restfulInteraction: 'http://hl7.org/fhir/restful-interaction',
  securitySourceType: 'http://terminology.hl7.org/CodeSystem/security-source-type',
  auditEntityType: 'http://terminology.hl7.org/CodeSystem/audit-entity-type',
  objectRole: 'http://terminology.hl7.org/CodeSystem/object-role',
  dataOperation: 'http://terminology.hl7.org/CodeSystem/v3-DataOperation',
  provenanceParticipant: 'http://terminology.hl7.org/CodeSystem/provenance-participant-type',
  provenanceEntityRole: 'http://hl7.org/fhir/provenance-entity-role',
  /** carechain's own actions (read, append, amend), beside the nearest HL7 consent action. */
  ledgerConsentAction: 'urn:carechain:consent-action',
  /** Ledger events HL7 has no code for (a custody hand-over). */
  ledgerEvent: 'urn:carechain:ledger-event',
} as const;

/** Identifier systems: what a value names on the ledger. */
export const IDENTIFIERS = {
  /** A subject pseudonym (the provider's HMAC of the patient), 64 hex digits. */
  subject: 'urn:carechain:subject',
  /** An Ed25519 public key (a patient's or a provider's account), 64 hex digits. */
  key: 'urn:carechain:key',
  /** A transaction id in display order, 64 hex digits. */
  tx: 'urn:carechain:tx',
} as const;

/** Extensions for what FHIR R4 has no element for. */
export const EXTENSIONS = {
  /** A consent that ends at a block height rather than a time (valueUnsignedInt). */
  expiresAtHeight: 'urn:carechain:extension:expires-at-height',
  /** The revocation that ended a consent (valueIdentifier: its txid). */
  revokedBy: 'urn:carechain:extension:revoked-by',
} as const;

export interface Coding {
  system: string;
  code: string;
  display?: string;
}

export function coding(system: string, code: string, display?: string): Coding {
  return display === undefined ? { system, code } : { system, code, display };
}

export function purposeCoding(code: string): Coding {
  return coding(SYSTEMS.actReason, code, PURPOSES[code]);
}

/** A logical reference: by identifier, since the ledger's objects have no FHIR server behind them. */
export function referenceTo(system: string, value: string, type?: string, display?: string) {
  return { ...(type ? { type } : {}), identifier: { system, value }, ...(display ? { display } : {}) };
}

/** A FHIR instant from unix seconds. */
export function instant(seconds: number): string {
  return new Date(seconds * 1000).toISOString();
}

export const txUrn = (txid: string) => `${IDENTIFIERS.tx}:${txid}`;
