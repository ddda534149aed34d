import { txUrn } from './codes.js';

/** A FHIR resource as JSON: what the mappers produce and the tests validate against HL7's schema. */
export interface FhirResource {
  resourceType: string;
  id?: string;
  [element: string]: unknown;
}

export const FHIR_CONTENT_TYPE = 'application/fhir+json; charset=utf-8';

/**
 * A Bundle of resources named by txid: a `searchset` (a page of matches, with its total and the link
 * to the next page) or a `collection`.
 */
export function bundle(type: 'searchset' | 'collection', resources: FhirResource[], page: { total?: number; self?: string; next?: string | null } = {}): FhirResource {
  const link = [...(page.self ? [{ relation: 'self', url: page.self }] : []), ...(page.next ? [{ relation: 'next', url: page.next }] : [])];
  return {
    resourceType: 'Bundle',
    type,
    ...(type === 'searchset' && page.total !== undefined ? { total: page.total } : {}),
    ...(link.length ? { link } : {}),
    entry: resources.map((resource) => ({
      fullUrl: txUrn(resource.id!),
      resource,
      ...(type === 'searchset' ? { search: { mode: 'match' } } : {}),
    })),
  };
}
