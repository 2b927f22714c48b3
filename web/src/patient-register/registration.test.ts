import type { Bundle, Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { parseBirthDate } from '../patient-search/search-terms.ts';
import { EMPTY_REGISTRATION, ifNoneExist, matchParameters, MRN_SYSTEM, patientFromForm, possibleDuplicates, registrationErrors, type RegistrationForm } from './registration.ts';

const today = new Date(2026, 11, 5);
const form: RegistrationForm = { ...EMPTY_REGISTRATION, family: ' Hartley ', given: 'Eleanor  Marie', birthDate: '6/14/1952', gender: 'female', phone: '(555) 201 4477', email: 'e.h@example.org', city: 'Springfield', mrn: 'A|7', ssn: '999123456' };

describe('registration', () => {
  it('reads a birth date in the search box formats, and nothing else', () => {
    expect(parseBirthDate('6/14/1952', today)).toBe('1952-06-14');
    expect(parseBirthDate('14 Jun 1952', today)).toBe('1952-06-14');
    expect(parseBirthDate('1952', today)).toBeUndefined();
    expect(parseBirthDate('smith 6/14/1952', today)).toBeUndefined();
    expect(parseBirthDate('2/30/1952', today)).toBeUndefined();
  });

  it('names what is missing or wrong, per field', () => {
    expect(Object.keys(registrationErrors(EMPTY_REGISTRATION, today)).sort()).toEqual(['birthDate', 'family', 'gender', 'given']);
    expect(registrationErrors(form, today)).toEqual({});
    const wrong = registrationErrors({ ...form, birthDate: '1/1/2030', phone: '12', email: 'nope', ssn: '12' }, today);
    expect(Object.keys(wrong).sort()).toEqual(['birthDate', 'email', 'phone', 'ssn']);
  });

  it('makes the Patient: official name, ISO birth date, phone as 555-201-4477, MRN and SSN typed', () => {
    const p = patientFromForm(form, today);
    expect(p.name).toEqual([{ use: 'official', family: 'Hartley', given: ['Eleanor', 'Marie'] }]);
    expect(p.birthDate).toBe('1952-06-14');
    expect(p.gender).toBe('female');
    expect(p.telecom).toEqual([
      { system: 'phone', value: '555-201-4477', use: 'home' },
      { system: 'email', value: 'e.h@example.org' },
    ]);
    expect(p.address).toEqual([{ use: 'home', city: 'Springfield' }]);
    expect(p.identifier?.map((i) => [i.system, i.value, i.type?.coding?.[0]?.code])).toEqual([
      [MRN_SYSTEM, 'A|7', 'MR'],
      ['http://hl7.org/fhir/sid/us-ssn', '999-12-3456', 'SS'],
    ]);
    expect(patientFromForm({ ...form, mrn: '', ssn: '', phone: '', email: '', city: '' }, today)).not.toHaveProperty('identifier');
  });

  it('creates only if no patient has the first identifier (escaped)', () => {
    expect(ifNoneExist(patientFromForm(form, today))).toBe(new URLSearchParams({ identifier: `${MRN_SYSTEM}|A\\|7` }).toString());
    expect(ifNoneExist(patientFromForm({ ...form, mrn: '', ssn: '' }, today))).toBeUndefined();
  });

  it('reads $match answers: grade and score, best first', () => {
    const p = patientFromForm(form, today);
    expect(matchParameters(p).parameter?.[0]).toEqual({ name: 'resource', resource: p });
    const ext = (grade: string) => [{ url: 'http://hl7.org/fhir/StructureDefinition/match-grade', valueCode: grade }];
    const bundle: Bundle<Patient> = {
      resourceType: 'Bundle',
      type: 'searchset',
      entry: [
        { resource: { resourceType: 'Patient', id: 'b' }, search: { mode: 'match', score: 0.6, extension: ext('possible') } },
        { resource: { resourceType: 'Patient', id: 'a' }, search: { mode: 'match', score: 1, extension: ext('certain') } },
        { resource: { resourceType: 'Patient', id: 'c' }, search: { mode: 'match', score: 0.1, extension: ext('certainly-not') } },
      ],
    };
    expect(possibleDuplicates(bundle).map((d) => [d.patient.id, d.grade])).toEqual([
      ['a', 'certain'],
      ['b', 'possible'],
    ]);
  });
});
