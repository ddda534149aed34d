import type { AuditEntryView, RecordView } from '../response-schemas.js';
import { coding, IDENTIFIERS, instant, referenceTo, SYSTEMS, txUrn } from './codes.js';
import type { FhirResource } from './bundle.js';

/**
 * One change of a subject's records as a FHIR R4 Provenance: the record it concerns (target), when,
 * who (the author; for a custody hand-over the new custodian too), what (CREATE, UPDATE for a
 * replacement, APPEND), the record it derives from, and the consent it relied on (policy).
 * `recordOf` gives the ledger's record for a txid: the one an amendment made (its link to the amended
 * record), the one a custody change handed on (its new owner).
 */
export function fhirProvenance(entry: AuditEntryView, recordOf: (txid: string) => RecordView | null): FhirResource {
  // A record or an amendment creates the record entry.txid; a custody change concerns entry.record.
  const concerned = entry.kind === 'custody' ? entry.record : entry.txid;
  const record = recordOf(concerned);
  const author = { type: { coding: [coding(SYSTEMS.provenanceParticipant, 'author', 'Author')] }, who: referenceTo(IDENTIFIERS.key, entry.actor, undefined, 'provider key') };
  const base = {
    resourceType: 'Provenance',
    id: entry.txid,
    target: [referenceTo(IDENTIFIERS.tx, concerned, entry.resourceType)],
    occurredDateTime: instant(entry.time),
    recorded: instant(entry.time),
    ...(entry.consent ? { policy: [txUrn(entry.consent)] } : {}),
  };
  if (entry.kind === 'custody') {
    const to = record?.custody.find((c) => c.txid === entry.txid)?.to;
    const performer = { ...author, type: { coding: [coding(SYSTEMS.provenanceParticipant, 'performer', 'Performer')] } };
    const custodian = to ? [{ type: { coding: [coding(SYSTEMS.provenanceParticipant, 'custodian', 'Custodian')] }, who: referenceTo(IDENTIFIERS.key, to, undefined, 'provider key') }] : [];
    return { ...base, activity: { coding: [coding(SYSTEMS.ledgerEvent, 'custody', 'custody hand-over')] }, agent: [performer, ...custodian] };
  }
  const previous = entry.kind === 'amendment' ? record?.previous : undefined;
  const activity = !previous ? coding(SYSTEMS.dataOperation, 'CREATE', 'create') : previous.relation === 'replaces' ? coding(SYSTEMS.dataOperation, 'UPDATE', 'revise') : coding(SYSTEMS.dataOperation, 'APPEND', 'append');
  const entity = previous ? [{ role: previous.relation === 'replaces' ? 'revision' : 'derivation', what: referenceTo(IDENTIFIERS.tx, previous.txid) }] : [];
  return { ...base, activity: { coding: [activity] }, agent: [author], ...(entity.length ? { entity } : {}) };
}
