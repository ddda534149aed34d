import type { AccessEntryView } from '../response-schemas.js';
import { coding, IDENTIFIERS, instant, purposeCoding, referenceTo, SYSTEMS, txUrn } from './codes.js';
import type { FhirResource } from './bundle.js';

/**
 * A logged read as a FHIR R4 AuditEvent: a patient-record read (DICOM 110110, REST read), the provider
 * as the requesting agent with its purpose of use, the record and the patient as entities. A
 * break-glass read carries purpose ETREAT and, as FHIR's emergency-access practice marks it, the
 * security label BTG ("break the glass") in its meta.
 */
export function fhirAuditEvent(subject: string, entry: AccessEntryView): FhirResource {
  const purpose = [{ coding: [purposeCoding(entry.purpose)] }];
  return {
    resourceType: 'AuditEvent',
    id: entry.txid,
    ...(entry.breakGlass ? { meta: { security: [coding(SYSTEMS.actReason, 'BTG', 'break the glass')] } } : {}),
    type: coding(SYSTEMS.dicom, '110110', 'Patient Record'),
    subtype: [coding(SYSTEMS.restfulInteraction, 'read', 'read')],
    action: 'R',
    recorded: instant(entry.time),
    outcome: '0',
    outcomeDesc: entry.breakGlass
      ? 'emergency access without consent (break-glass)'
      : entry.consent
        ? `read under consent ${entry.consent}`
        : "read by the record's owner",
    purposeOfEvent: purpose,
    agent: [
      {
        who: referenceTo(IDENTIFIERS.key, entry.provider, undefined, 'provider key'),
        requestor: true,
        ...(entry.consent ? { policy: [txUrn(entry.consent)] } : {}),
        purposeOfUse: purpose,
      },
    ],
    source: { observer: { display: 'carechain ledger' }, type: [coding(SYSTEMS.securitySourceType, '4', 'Application Server')] },
    entity: [
      {
        what: referenceTo(IDENTIFIERS.tx, entry.record, entry.resourceType),
        type: coding(SYSTEMS.auditEntityType, '2', 'System Object'),
        role: coding(SYSTEMS.objectRole, '4', 'Domain Resource'),
      },
      {
        what: referenceTo(IDENTIFIERS.subject, subject, 'Patient'),
        type: coding(SYSTEMS.auditEntityType, '1', 'Person'),
        role: coding(SYSTEMS.objectRole, '1', 'Patient'),
      },
    ],
  };
}
