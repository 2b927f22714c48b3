import type { Parameters, ParametersParameter, Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { FhirError } from '../outcome.ts';
import { applyFhirPathPatch } from './fhirpath-patch.ts';

const patient: Patient = {
  resourceType: 'Patient',
  id: 'p',
  active: true,
  birthDate: '1980-01-01',
  identifier: [
    { system: 'urn:a', value: '1' },
    { system: 'urn:b', value: '2' },
  ],
  name: [{ family: 'Doe', given: ['Jane', 'Ann'] }],
  deceasedBoolean: false,
};

type Part = NonNullable<ParametersParameter['part']>[number];
const op = (...part: Part[]): ParametersParameter => ({ name: 'operation', part });
const type = (t: string): Part => ({ name: 'type', valueCode: t });
const path = (p: string): Part => ({ name: 'path', valueString: p });
const patch = (...parameter: ParametersParameter[]): Parameters => ({ resourceType: 'Parameters', parameter });

function failure(fn: () => unknown): FhirError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FhirError) return e;
    throw e;
  }
  throw new Error('expected a FhirError');
}

describe('applyFhirPathPatch', () => {
  it('add: a single element, an item appended to a list, a part-built complex value', () => {
    const result = <Patient>applyFhirPathPatch(
      patient,
      patch(
        op(type('add'), path('Patient'), { name: 'name', valueString: 'gender' }, { name: 'value', valueCode: 'female' }),
        op(type('add'), path('Patient.name[0]'), { name: 'name', valueString: 'given' }, { name: 'value', valueString: 'Lou' }),
        op(type('add'), path('Patient'), { name: 'name', valueString: 'telecom' }, { name: 'value', part: [{ name: 'system', valueCode: 'phone' }, { name: 'value', valueString: '555' }] }),
      ),
    );
    expect(result.gender).toBe('female');
    expect(result.name?.[0].given).toEqual(['Jane', 'Ann', 'Lou']);
    expect(result.telecom).toEqual([{ system: 'phone', value: '555' }]);
    expect(patient.gender).toBeUndefined(); // input untouched
  });

  it('add refuses a second value for a single element', () => {
    const error = failure(() => applyFhirPathPatch(patient, patch(op(type('add'), path('Patient'), { name: 'name', valueString: 'birthDate' }, { name: 'value', valueDate: '1990' }))));
    expect(error.category).toBe('unprocessable');
    expect(error.message).toContain('already has a value');
  });

  it('insert at an index', () => {
    const result = <Patient>applyFhirPathPatch(patient, patch(op(type('insert'), path('Patient.identifier'), { name: 'index', valueInteger: 1 }, { name: 'value', valueIdentifier: { system: 'urn:c', value: '3' } })));
    expect(result.identifier?.map((i) => i.system)).toEqual(['urn:a', 'urn:c', 'urn:b']);
    const error = failure(() => applyFhirPathPatch(patient, patch(op(type('insert'), path('Patient.identifier'), { name: 'index', valueInteger: 5 }, { name: 'value', valueIdentifier: { value: 'x' } }))));
    expect(error.category).toBe('unprocessable');
  });

  it('delete: by index, by where(), a primitive, a list item; nothing to delete is fine', () => {
    const result = <Patient>applyFhirPathPatch(
      patient,
      patch(
        op(type('delete'), path("Patient.identifier.where(system='urn:b')")),
        op(type('delete'), path('Patient.name[0].given[0]')),
        op(type('delete'), path('Patient.birthDate')),
        op(type('delete'), path('Patient.deceased')),
        op(type('delete'), path('Patient.gender')),
      ),
    );
    expect(result.identifier).toEqual([{ system: 'urn:a', value: '1' }]);
    expect(result.name?.[0].given).toEqual(['Ann']);
    expect(result.birthDate).toBeUndefined();
    expect('deceasedBoolean' in result).toBe(false);
    const error = failure(() => applyFhirPathPatch(patient, patch(op(type('delete'), path('Patient.identifier')))));
    expect(error.message).toContain('selects 2 elements');
  });

  it('replace: a primitive, a list item, a choice element changing type', () => {
    const result = <Patient>applyFhirPathPatch(
      patient,
      patch(
        op(type('replace'), path('Patient.birthDate'), { name: 'value', valueDate: '1981-02-03' }),
        op(type('replace'), path("Patient.identifier.where(system='urn:a').value"), { name: 'value', valueString: 'one' }),
        op(type('replace'), path('Patient.name[0].given[1]'), { name: 'value', valueString: 'Anne' }),
        op(type('replace'), path('Patient.deceased'), { name: 'value', valueDateTime: '2020-01-01' }),
      ),
    );
    expect(result.birthDate).toBe('1981-02-03');
    expect(result.identifier?.[0].value).toBe('one');
    expect(result.name?.[0].given).toEqual(['Jane', 'Anne']);
    expect(result.deceasedDateTime).toBe('2020-01-01');
    expect('deceasedBoolean' in result).toBe(false);
    expect(failure(() => applyFhirPathPatch(patient, patch(op(type('replace'), path('Patient.gender'), { name: 'value', valueCode: 'male' })))).category).toBe('unprocessable');
  });

  it('move within a list', () => {
    const result = <Patient>applyFhirPathPatch(patient, patch(op(type('move'), path('Patient.identifier'), { name: 'source', valueInteger: 1 }, { name: 'destination', valueInteger: 0 })));
    expect(result.identifier?.map((i) => i.system)).toEqual(['urn:b', 'urn:a']);
  });

  it.each([
    ['not Parameters', { resourceType: 'Patient' }, 'must be a Parameters'],
    ['no operations', patch(), 'at least one'],
    ['wrong parameter name', { resourceType: 'Parameters', parameter: [{ name: 'op', part: [] }] }, 'named "operation"'],
    ['unknown type', patch(op(type('upsert'), path('Patient'))), 'type must be'],
    ['missing path', patch(op(type('delete'))), '"path"'],
    ['add without name', patch(op(type('add'), path('Patient'), { name: 'value', valueCode: 'x' })), 'needs "name"'],
    ['negative index', patch(op(type('insert'), path('Patient.identifier'), { name: 'index', valueInteger: -1 }, { name: 'value', valueString: 'x' })), 'non-negative'],
    ['bad FHIRPath', patch(op(type('delete'), path('Patient.name[[0'))), 'FHIRPath'],
  ])('refuses %s as invalid', (_name, body, message) => {
    const error = failure(() => applyFhirPathPatch(patient, body));
    expect(error.category).toBe('invalid');
    expect(error.message).toContain(message);
  });

  it('refuses unknown elements and prototype names', () => {
    for (const name of ['nosuch', 'constructor']) {
      const error = failure(() => applyFhirPathPatch(patient, patch(op(type('add'), path('Patient'), { name: 'name', valueString: name }, { name: 'value', valueString: 'x' }))));
      expect(error.category).toBe('unprocessable');
    }
    expect(({} as Record<string, unknown>).x).toBeUndefined();
  });
});
