import type { Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { FhirError } from '../outcome.ts';
import { applyJsonPatch } from './json-patch.ts';

const patient: Patient = { resourceType: 'Patient', id: 'p', active: true, name: [{ family: 'Doe', given: ['Jane'] }] };

function failure(fn: () => unknown): FhirError {
  try {
    fn();
  } catch (e) {
    if (e instanceof FhirError) return e;
    throw e;
  }
  throw new Error('expected a FhirError');
}

describe('applyJsonPatch', () => {
  it('applies add, replace, remove, move, copy and a passing test, without touching the input', () => {
    const before = structuredClone(patient);
    const result = applyJsonPatch(patient, [
      { op: 'test', path: '/active', value: true },
      { op: 'replace', path: '/active', value: false },
      { op: 'add', path: '/name/0/given/-', value: 'Ann' },
      { op: 'add', path: '/gender', value: 'female' },
      { op: 'copy', from: '/name/0', path: '/name/1' },
      { op: 'move', from: '/name/1/family', path: '/name/1/text' },
      { op: 'remove', path: '/name/0/given/0' },
    ]);
    expect(result).toEqual({
      resourceType: 'Patient',
      id: 'p',
      active: false,
      gender: 'female',
      name: [{ family: 'Doe', given: ['Ann'] }, { given: ['Jane', 'Ann'], text: 'Doe' }],
    });
    expect(patient).toEqual(before);
  });

  it('turns a failed test into unprocessable', () => {
    const error = failure(() => applyJsonPatch(patient, [{ op: 'test', path: '/active', value: false }]));
    expect(error.category).toBe('unprocessable');
    expect(error.message).toContain('test failed');
  });

  it('turns an operation on a missing path into unprocessable', () => {
    expect(failure(() => applyJsonPatch(patient, [{ op: 'remove', path: '/birthDate' }])).category).toBe('unprocessable');
    expect(failure(() => applyJsonPatch(patient, [{ op: 'replace', path: '/name/5/family', value: 'x' }])).category).toBe('unprocessable');
  });

  it.each([
    ['not an array', { op: 'add' }, 'must be a JSON array'],
    ['not an object', ['x'], 'must be an object'],
    ['unknown op', [{ op: 'merge', path: '/a' }], '"op" must be one of'],
    ['missing path', [{ op: 'remove' }], 'JSON Pointer'],
    ['relative path', [{ op: 'remove', path: 'active' }], 'JSON Pointer'],
    ['missing value', [{ op: 'add', path: '/gender' }], 'needs a "value"'],
    ['missing from', [{ op: 'move', path: '/gender' }], '"from" must be a JSON Pointer'],
    ['whole document', [{ op: 'replace', path: '', value: {} }], 'whole resource'],
    ['__proto__', [{ op: 'add', path: '/__proto__/polluted', value: true }], '__proto__'],
    ['constructor/prototype', [{ op: 'add', path: '/constructor/prototype/polluted', value: true }], 'constructor'],
    ['escaped __proto__ in from', [{ op: 'copy', from: '/__proto__', path: '/x' }], '__proto__'],
  ])('refuses %s as invalid', (_name, ops, message) => {
    const error = failure(() => applyJsonPatch(patient, ops));
    expect(error.category).toBe('invalid');
    expect(error.message).toContain(message);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses to change resourceType', () => {
    expect(failure(() => applyJsonPatch(patient, [{ op: 'replace', path: '/resourceType', value: 'Practitioner' }])).category).toBe('unprocessable');
    expect(failure(() => applyJsonPatch(patient, [{ op: 'remove', path: '/resourceType' }])).category).toBe('unprocessable');
  });
});
