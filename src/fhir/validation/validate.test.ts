import type { Resource } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { sampleResources } from '../../../tests/fixtures/sample-resources.ts';
import type { IssueCode } from '../outcome.ts';
import { validateResource } from './validate.ts';

const obs = { resourceType: 'Observation', status: 'final', code: { text: 'x' } };
const riskAssessment = { resourceType: 'RiskAssessment', status: 'final', subject: { reference: 'Patient/1' } };
const batchResponse = (outcome: Record<string, unknown>) => ({ resourceType: 'Bundle', type: 'batch-response', entry: [{ response: { status: '400 Bad Request', outcome } }] });
/** `bytes` random-looking bytes as base64, wrapped MIME style at `width` characters a line with `eol`. */
function wrappedBase64(bytes: number, width: number, eol = '\r\n'): string {
  const flat = Buffer.from(Array.from({ length: bytes }, (_, i) => (i * 37 + 11) % 256)).toString('base64');
  return flat.match(new RegExp(`.{1,${width}}`, 'g'))!.join(eol);
}
const OUTCOME = { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'invalid', diagnostics: 'x' }] };

describe('validateResource: invalid resources', () => {
  it.each<[string, unknown, IssueCode, string | undefined]>([
    ['not an object', [{ resourceType: 'Patient' }], 'structure', undefined],
    ['null', null, 'structure', undefined],
    ['missing resourceType', { id: 'x' }, 'required', 'resourceType'],
    ['unknown resourceType', { resourceType: 'Patientx' }, 'not-supported', 'resourceType'],
    ['abstract resourceType', { resourceType: 'DomainResource' }, 'not-supported', 'resourceType'],
    ['wrong type: string for boolean', { resourceType: 'Patient', active: 'yes' }, 'structure', 'Patient.active'],
    ['wrong type: object for array', { resourceType: 'Patient', name: { family: 'x' } }, 'structure', 'Patient.name'],
    ['wrong type: string for object', { resourceType: 'Patient', maritalStatus: 'M' }, 'structure', 'Patient.maritalStatus'],
    ['unknown element', { resourceType: 'Patient', foo: 1 }, 'structure', 'Patient.foo'],
    ['unknown nested element', { resourceType: 'Patient', name: [{ famly: 'x' }] }, 'structure', 'Patient.name[0].famly'],
    ['unknown choice type', { resourceType: 'Patient', deceasedString: 'x' }, 'structure', 'Patient.deceasedString'],
    ['two types for one choice', { resourceType: 'Patient', deceasedBoolean: true, deceasedDateTime: '2020' }, 'structure', 'Patient.deceasedDateTime'],
    ['bad date format', { resourceType: 'Patient', birthDate: '12/31/2020' }, 'value', 'Patient.birthDate'],
    ['impossible date', { resourceType: 'Patient', birthDate: '2021-02-30' }, 'value', 'Patient.birthDate'],
    ['bad dateTime', { ...obs, effectiveDateTime: '2020-01-01T25:00:00Z' }, 'value', 'Observation.effectiveDateTime'],
    ['bad instant (no zone)', { ...obs, issued: '2020-01-01T10:00:00' }, 'value', 'Observation.issued'],
    ['missing required element', { resourceType: 'Observation', code: { text: 'x' } }, 'required', 'Observation.status'],
    ['missing required nested element', { resourceType: 'Patient', link: [{ type: 'seealso' }] }, 'required', 'Patient.link[0].other'],
    ['bad code in required binding', { resourceType: 'Patient', gender: 'sometimes' }, 'code-invalid', 'Patient.gender'],
    ['bad nested code', { resourceType: 'Patient', telecom: [{ system: 'beeper', value: '1' }] }, 'code-invalid', 'Patient.telecom[0].system'],
    ['bad code in a contained resource', { resourceType: 'Patient', contained: [{ resourceType: 'Patient', id: 'c', gender: 'x' }] }, 'code-invalid', 'Patient.contained[0].gender'],
    ['cardinality: too many (list for a single element)', { ...obs, subject: [{ reference: 'Patient/1' }] }, 'structure', 'Observation.subject'],
    ['null value', { resourceType: 'Patient', gender: null }, 'structure', 'Patient.gender'],
    ['empty string', { resourceType: 'Patient', birthDate: '' }, 'value', 'Patient.birthDate'],
    ['empty array', { resourceType: 'Patient', name: [] }, 'structure', 'Patient.name'],
    ['empty object', { resourceType: 'Patient', maritalStatus: {} }, 'structure', 'Patient.maritalStatus'],
    ['control character', { resourceType: 'Patient', name: [{ family: 'a\u0000b' }] }, 'value', 'Patient.name[0].family'],
    ['non-integer integer', { resourceType: 'Patient', multipleBirthInteger: 1.5 }, 'value', 'Patient.multipleBirthInteger'],
    ['Infinity', { ...obs, valueQuantity: { value: Infinity } }, 'value', 'Observation.valueQuantity.value'],
    ['invariant pat-1', { resourceType: 'Patient', contact: [{ gender: 'male' }] }, 'invariant', 'Patient.contact[0]'],
    ['invariant ext-1', { resourceType: 'Patient', extension: [{ url: 'http://x' }] }, 'invariant', 'Patient.extension[0]'],
    ['invariant on the root (obs-6)', { ...obs, valueString: 'x', dataAbsentReason: { text: 'y' } }, 'invariant', 'Observation'],
    ['reference to a type not allowed', { ...obs, subject: { reference: 'Medication/1' } }, 'structure', 'Observation.subject'],
    ['bad primitive extension', { resourceType: 'Patient', _birthDate: { foo: 1 } }, 'structure', 'Patient._birthDate.foo'],
    ['resourceType inside a data type', { resourceType: 'Patient', maritalStatus: { resourceType: 'CodeableConcept', text: 'x' } }, 'structure', 'Patient.maritalStatus.resourceType'],
    ['bad resource id', { resourceType: 'Patient', id: 'bad id!' }, 'value', 'Patient.id'],
    ['contained resource of unknown type', { resourceType: 'Patient', contained: [{ resourceType: 'Nope' }] }, 'structure', 'Patient.contained[0]'],
    ['base64Binary with a character outside the alphabet', { resourceType: 'Binary', contentType: 'text/plain', data: 'SGVs*G8=' }, 'value', 'Binary.data'],
    ['base64Binary padded in the middle', { resourceType: 'Binary', contentType: 'text/plain', data: 'SG==\nSGVs' }, 'value', 'Binary.data'],
    ['base64Binary of whitespace only', { resourceType: 'Binary', contentType: 'text/plain', data: ' \r\n' }, 'value', 'Binary.data'],
    ['code with two spaces', { resourceType: 'Patient', gender: 'male  x' }, 'value', 'Patient.gender'],
    ['string over 1 MB', { resourceType: 'Patient', name: [{ family: 'x'.repeat(1024 * 1024 + 1) }] }, 'value', 'Patient.name[0].family'],
    ['ras-2: probability over 100', { ...riskAssessment, prediction: [{ outcome: { text: 'x' }, probabilityDecimal: 150 }] }, 'invariant', 'RiskAssessment.prediction[0]'],
    ['a wrong resource in Bundle.entry.response.outcome', batchResponse({ resourceType: 'OperationOutcome' }), 'required', 'Bundle.entry[0].response.outcome.issue'],
    ['a wrong resource in Parameters.parameter.resource', { resourceType: 'Parameters', parameter: [{ name: 'p', resource: { resourceType: 'Patient', gender: 'x' } }] }, 'code-invalid', 'Parameters.parameter[0].resource.gender'],
  ])('%s', (_name, resource, code, expression) => {
    const issues = validateResource(resource);
    expect(issues.length, JSON.stringify(issues)).toBeGreaterThan(0);
    expect(issues[0].code).toBe(code);
    expect(issues[0].severity).toBe('error');
    expect(issues[0].expression?.[0]).toBe(expression);
    expect(issues[0].diagnostics.length).toBeGreaterThan(5);
  });

  it('reports every problem, not just the first', () => {
    const issues = validateResource({ resourceType: 'Patient', gender: 'x', birthDate: 'y', foo: 1 });
    expect(issues.map((i) => i.expression?.[0]).sort()).toEqual(['Patient.birthDate', 'Patient.foo', 'Patient.gender']);
  });

  it('stops at hostile nesting instead of overflowing the stack', () => {
    let ext: Record<string, unknown> = { url: 'http://x', valueString: 'leaf' };
    for (let i = 0; i < 5000; i++) ext = { url: 'http://x', extension: [ext] };
    const issues = validateResource({ resourceType: 'Patient', extension: [ext] });
    expect(issues.some((i) => i.diagnostics.includes('levels deep'))).toBe(true);
  });
});

describe('validateResource: valid resources', () => {
  it.each<[string, Resource]>([
    ['minimal', { resourceType: 'Patient' }],
    ['primitive extension only', { resourceType: 'Patient', _birthDate: { extension: [{ url: 'http://x', valueString: 'unknown' }] } } as Resource],
    ['null in a primitive list with extensions', { resourceType: 'Patient', name: [{ given: [null, 'B'], _given: [{ extension: [{ url: 'http://x', valueString: 'A' }] }, null] }] } as unknown as Resource],
    ['urn:uuid and absolute references', { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: 'urn:uuid:6c3e0c1a-0000-4000-8000-000000000000' }, performer: [{ reference: 'http://x.org/Practitioner/1' }] }],
    ['leap day', { resourceType: 'Patient', birthDate: '2020-02-29' }],
    ['bundle with entries', { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { resourceType: 'Patient', gender: 'other' } }] }],
    // base64Binary: R4's regex `(\s*([0-9a-zA-Z\+/=]){4}\s*)+` allows whitespace (MIME wraps at 76, PEM at 64).
    ['Binary.data wrapped at 76 with CRLF', { resourceType: 'Binary', contentType: 'application/pdf', data: wrappedBase64(600, 76) }],
    ['Binary.data wrapped at 64 with LF and a final newline', { resourceType: 'Binary', contentType: 'application/pdf', data: wrappedBase64(500, 64, '\n') + '\n' }],
    ['Binary.data over 1 MB (base64Binary has no length limit)', { resourceType: 'Binary', contentType: 'application/pdf', data: wrappedBase64(900_000, 76) }],
    ['Media.content.data wrapped at 60', { resourceType: 'Media', status: 'completed', content: { contentType: 'image/gif', data: wrappedBase64(300, 60, '\n') } } as Resource],
    ['DiagnosticReport.presentedForm.data wrapped', { resourceType: 'DiagnosticReport', status: 'final', code: { text: 'x' }, presentedForm: [{ contentType: 'application/pdf', data: wrappedBase64(400, 76) }] }],
    ['Device.udiCarrier.carrierAIDC wrapped', { resourceType: 'Device', udiCarrier: [{ deviceIdentifier: '1', carrierAIDC: wrappedBase64(120, 60, '\n') }] }],
    ['xhtml over 1 MB', { resourceType: 'Patient', text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${'x'.repeat(1024 * 1024)}</div>` } }],
    // XML whitespace only (space, tab, CR, LF) separates a code, as in R4's regex `[^\s]+(\s[^\s]+)*`.
    ['code ending in a no-break space', { resourceType: 'CodeSystem', status: 'active', content: 'complete', concept: [{ code: 'CHEST\u00a0' }] } as Resource],
    // ras-2 `probability is decimal implies (probability as decimal) <= 100` is {} with no probability: not violated.
    ['RiskAssessment.prediction without probability', { ...riskAssessment, prediction: [{ outcome: { text: 'x' } }] } as Resource],
    ['RiskAssessment.prediction with a probability range', { ...riskAssessment, prediction: [{ probabilityRange: { low: { value: 1 }, high: { value: 2 } } }] } as Resource],
    // Elements that hold a resource: walked with the resource's own type, wherever they are.
    ['batch-response Bundle with an OperationOutcome in entry.response.outcome', batchResponse(OUTCOME) as Resource],
    ['Parameters.parameter.resource', { resourceType: 'Parameters', parameter: [{ name: 'p', resource: { resourceType: 'Patient', gender: 'other' } }] }],
    ['contained resource', { resourceType: 'Observation', status: 'final', code: { text: 'x' }, contained: [{ resourceType: 'Patient', id: 'p' }], subject: { reference: '#p' } }],
  ])('%s', (_name, resource) => {
    expect(validateResource(resource)).toEqual([]);
  });

  it('accepts every Synthea resource, as sent and after reference rewriting, and reports the speed', () => {
    for (const localReferences of [false, true]) {
      const resources = sampleResources({ localReferences });
      expect(resources.length).toBe(19_277);
      for (const r of resources) {
        const issues = validateResource(r);
        if (issues.length > 0) expect(issues, `${r.resourceType}/${r.id}`).toEqual([]);
      }
      if (!localReferences) continue;
      const start = process.cpuUsage();
      for (const r of resources) validateResource(r);
      const used = process.cpuUsage(start);
      console.log(`validateResource: ${(((used.user + used.system) / resources.length)).toFixed(1)} µs CPU/resource over ${resources.length} resources`);
    }
  });
});
