import type { NodeApi } from '../node-api.js';
import type { AuditEntryView, RecordView } from '../response-schemas.js';
import { bundle, type FhirResource } from './bundle.js';
import { fhirProvenance } from './provenance.js';

/** A subject's trail as a Bundle (collection) of Provenance, one per change, oldest first. */
export async function trailBundle(api: NodeApi, trail: AuditEntryView[]): Promise<FhirResource> {
  const records = new Map<string, RecordView | null>();
  for (const entry of trail) {
    const concerned = entry.kind === 'custody' ? entry.record : entry.kind === 'amendment' ? entry.txid : undefined;
    if (concerned !== undefined && !records.has(concerned)) records.set(concerned, await api.getRecord(concerned));
  }
  return bundle('collection', trail.map((entry) => fhirProvenance(entry, (txid) => records.get(txid) ?? null)));
}

/** The changes that concern one record: its creation, the records amending it, its custody hand-overs. */
export async function recordTrail(api: NodeApi, record: RecordView): Promise<AuditEntryView[]> {
  const amendments = new Set(record.amendments);
  const trail = await api.subjectTrail(record.subject);
  return trail.filter((e) => e.txid === record.txid || amendments.has(e.txid) || (e.kind === 'custody' && e.record === record.txid));
}
