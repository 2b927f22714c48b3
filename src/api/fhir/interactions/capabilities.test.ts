/**
 * The CapabilityStatement must say exactly what search accepts: every parameter it lists parses
 * without a warning, every R4 parameter it leaves out is reported as unsupported, and every
 * listed include and reverse include is accepted.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { parseSearch } from '../../../fhir/search/parse.ts';
import { searchParametersFor } from '../../../fhir/search/parameters.ts';
import { AUDIT_EVENT_SEARCH_PARAMETERS } from './audit-events.ts';
import { TOTAL_CAP } from '../../../store/store.ts';
import { capabilityStatement, SEARCH_TOTAL_DOCUMENTATION, TYPE_OPERATIONS } from './capabilities.ts';
import { resolve } from '../dispatch.ts';

const options = { strict: false, defaultCount: 20, maxCount: 1000 };
const rest = capabilityStatement('http://heron.test/fhir/R4').rest![0];

describe('CapabilityStatement search section', () => {
  it('describes AuditEvent as the append-only audit trail: read, search with the audit report parameters, create (reported events), no update, patch or delete', () => {
    const audit = rest.resource!.find((r) => r.type === 'AuditEvent')!;
    expect(audit.interaction!.map((i) => i.code)).toEqual(['read', 'vread', 'create', 'search-type']);
    expect(audit).toMatchObject({ conditionalCreate: false, conditionalUpdate: false, conditionalDelete: 'not-supported', updateCreate: false });
    expect(audit.documentation).toMatch(/AuditEvent\.c/);
    expect(audit.searchParam!.map((p) => p.name)).toEqual([...AUDIT_EVENT_SEARCH_PARAMETERS]);
    expect(audit.searchParam!.filter((p) => !p.definition?.startsWith('http://hl7.org/fhir/SearchParameter/')).map((p) => p.name)).toEqual(['purpose']);
    expect(audit.documentation).toMatch(/text\/csv/);
    expect(rest.resource!.flatMap((r) => r.searchRevInclude ?? []).filter((r) => r.startsWith('AuditEvent:'))).toEqual([]);
  });

  it('lists exactly the parameters that search accepts, for every resource type', () => {
    let listed = 0;
    for (const resource of rest.resource ?? []) {
      const type = resource.type as string;
      // Answered from the audit log with parameters of its own: see the next test.
      if (type === 'AuditEvent') continue;
      const names = new Set((resource.searchParam ?? []).map((p) => p.name));
      for (const def of searchParametersFor(type)) {
        // `:missing` is valid on every parameter type, so it probes acceptance without a typed value.
        const { warnings } = parseSearch([type], new URLSearchParams({ [`${def.code}:missing`]: 'true' }), options);
        expect(warnings.length === 0, `${type}.${def.code}: listed ${names.has(def.code)}, parse warnings ${JSON.stringify(warnings)}`).toBe(names.has(def.code));
        if (names.has(def.code)) listed++;
      }
    }
    expect(listed).toBeGreaterThan(2000);
  });

  it('lists includes and reverse includes that parse', () => {
    const observation = rest.resource!.find((r) => r.type === 'Observation')!;
    expect(observation.searchInclude).toEqual(expect.arrayContaining(['*', 'Observation:*', 'Observation:patient', 'Observation:encounter']));
    const patient = rest.resource!.find((r) => r.type === 'Patient')!;
    expect(patient.searchRevInclude).toEqual(expect.arrayContaining(['*', 'Observation:subject', 'Encounter:patient', 'Provenance:target']));
    for (const resource of [observation, patient]) {
      const type = resource.type as string;
      for (const include of resource.searchInclude ?? []) expect(parseSearch([type], new URLSearchParams({ _include: include }), options).warnings).toEqual([]);
      for (const revinclude of resource.searchRevInclude ?? []) expect(parseSearch([type], new URLSearchParams({ _revinclude: revinclude }), options).warnings).toEqual([]);
    }
  });

  it('lists each type operation dispatch routes, and dispatch routes each one listed', () => {
    for (const [type, operations] of Object.entries(TYPE_OPERATIONS)) {
      const listed = rest.resource!.find((r) => r.type === type)!.operation!.map((o) => o.name);
      for (const op of operations) {
        expect(listed).toContain(op.name);
        const method = op.documentation?.startsWith('POST') ? 'POST' : 'GET';
        // An operation on one resource is documented with its instance path.
        const path = op.documentation?.includes(`${type}/[id]/$${op.name}`) ? `${type}/p1/$${op.name}` : `${type}/$${op.name}`;
        expect(resolve({ method, path, query: new URLSearchParams(), headers: {}, baseUrl: 'http://heron.test/fhir/R4' }).action).toBe(`$${op.name}`);
      }
    }
  });

  it('says where update-as-create is not offered', () => {
    expect(rest.documentation).toMatch(/updateCreate is not available/);
  });

  it('says what _total does, as docs/search.md does', () => {
    expect(rest.documentation).toContain(SEARCH_TOTAL_DOCUMENTATION);
    const cap = TOTAL_CAP.toLocaleString('en-US');
    expect(SEARCH_TOTAL_DOCUMENTATION).toContain(`exact when at most ${cap} resources match and left out above that`);
    const docs = readFileSync(new URL('../../../../docs/search.md', import.meta.url), 'utf8').replace(/\s+/g, ' ');
    expect(docs).toContain(`By default (and with \`_total=estimate\`) the total is exact when at most ${cap} resources match, and left out of the Bundle above that`);
    expect(docs).toContain('`_total=accurate` counts every match');
  });

  it('names the Patient compartment and the system-level parameters', () => {
    expect(rest.compartment).toEqual(['http://hl7.org/fhir/CompartmentDefinition/patient']);
    expect(rest.searchParam!.map((p) => p.name).sort()).toEqual(['_id', '_lastUpdated', '_profile', '_security', '_source', '_tag']);
  });
});

describe('CapabilityStatement security section', () => {
  it('names the OAuth endpoints and every client authentication method, asymmetric included', () => {
    const oauth = rest.security!.extension!.find((e) => e.url === 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris')!;
    expect(Object.fromEntries(oauth.extension!.map((e) => [e.url, e.valueUri]))).toEqual({
      authorize: 'http://heron.test/oauth2/authorize',
      token: 'http://heron.test/oauth2/token',
      revoke: 'http://heron.test/oauth2/revoke',
      introspect: 'http://heron.test/oauth2/introspect',
    });
    expect(rest.security!.description).toMatch(/private_key_jwt/);
    expect(rest.security!.description).toMatch(/RS384, ES384/);
    expect(rest.security!.description).toMatch(/client_secret_basic/);
  });
});
