import type { Bundle } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { linkOpened, linkViews } from './health-links.ts';
import { scopeWords } from './scope-words.ts';
import { parseShlink } from './shlink.ts';
import { summaryModel } from './summary-model.ts';

describe('parseShlink', () => {
  const payload = { url: 'https://ehr.example.org/shl/abc', key: 'k'.repeat(43), exp: 1900000000, flag: 'P', label: 'For Dr Lee', v: 1 };
  const encoded = Buffer.from(JSON.stringify(payload)).toString('base64url');

  it('reads the payload from a viewer URL fragment', () => {
    expect(parseShlink(`#shlink:/${encoded}`)).toMatchObject({ url: payload.url, key: payload.key, flag: 'P', label: 'For Dr Lee' });
  });
  it('refuses what is not a link', () => {
    expect(parseShlink('#nothing')).toBeUndefined();
    expect(parseShlink('#shlink:/not-json')).toBeUndefined();
    expect(parseShlink(`#shlink:/${Buffer.from('{"url":"x"}').toString('base64url')}`)).toBeUndefined();
  });
});

describe('scopeWords', () => {
  it('says what an app may do in plain words', () => {
    expect(scopeWords('openid fhirUser launch/patient patient/Observation.rs patient/Condition.read')).toEqual(['Know who you are', 'See your results and measurements', 'See your health problems']);
    expect(scopeWords('user/*.cruds offline_access')).toEqual(['See and change your whole record', 'Keep access when you are not using it']);
    expect(scopeWords('patient/Communication.c patient/Basic.rs')).toEqual(['Add to or change your messages', 'See your Basic records']);
  });
});

describe('summaryModel', () => {
  const bundle: Bundle = {
    resourceType: 'Bundle',
    type: 'document',
    timestamp: '2026-12-01T10:00:00Z',
    entry: [
      {
        fullUrl: 'urn:uuid:c',
        resource: {
          resourceType: 'Composition',
          status: 'final',
          type: { text: 'Patient summary' },
          date: '2026-12-01',
          title: 'Patient summary of Ana Díaz',
          author: [{ display: 'Heron' }],
          subject: { reference: 'urn:uuid:p' },
          section: [
            { title: 'Problems', entry: [{ reference: 'urn:uuid:cond' }] },
            { title: 'Allergies and intolerances', emptyReason: { text: 'Nil known' } },
            { title: 'Vital signs', entry: [{ reference: 'urn:uuid:bp' }, { reference: 'urn:uuid:t' }] },
            { title: 'Results', entry: [{ reference: 'urn:uuid:a1c' }, { reference: 'urn:uuid:bp2' }] },
          ],
        },
      },
      { fullUrl: 'urn:uuid:p', resource: { resourceType: 'Patient', name: [{ given: ['Ana'], family: 'Díaz' }], birthDate: '1980-02-03', gender: 'female' } },
      {
        fullUrl: 'urn:uuid:bp',
        resource: {
          resourceType: 'Observation',
          status: 'final',
          code: { text: 'Blood pressure' },
          effectiveDateTime: '2026-12-01T12:00:00Z',
          component: [
            { code: { text: 'Systolic' }, valueQuantity: { value: 120.5, unit: 'mm[Hg]' } },
            { code: { text: 'Diastolic' }, valueQuantity: { value: 80, unit: 'mm[Hg]' } },
          ],
        },
      },
      { fullUrl: 'urn:uuid:t', resource: { resourceType: 'Observation', status: 'final', code: { text: 'Body temperature' }, valueQuantity: { value: 37.16328469699891, unit: '°C' } } },
      {
        fullUrl: 'urn:uuid:a1c',
        resource: {
          resourceType: 'Observation',
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '4548-4', display: 'Hemoglobin A1c/Hemoglobin.total in Blood' }] },
          valueQuantity: { value: 7.2, unit: '%', system: 'http://unitsofmeasure.org', code: '%' },
        },
      },
      {
        fullUrl: 'urn:uuid:bp2',
        resource: {
          resourceType: 'Observation',
          status: 'final',
          code: { coding: [{ system: 'http://loinc.org', code: '85354-9', display: 'Blood pressure panel with all children optional' }] },
          component: [
            { code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 132, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
            { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 84, unit: 'mm[Hg]', system: 'http://unitsofmeasure.org', code: 'mm[Hg]' } },
          ],
        },
      },
      { fullUrl: 'urn:uuid:cond', resource: { resourceType: 'Condition', subject: { reference: 'urn:uuid:p' }, code: { text: 'Asthma' }, onsetDateTime: '2001' } },
    ],
  };

  it('reads the patient and each section in the composition’s order', () => {
    const m = summaryModel(bundle);
    expect(m.title).toBe('Patient summary of Ana Díaz');
    expect(m.patientName).toBe('Ana Díaz');
    expect(m.patientFacts[0]).toMatch(/^Born /);
    expect(m.sections).toEqual([
      { title: 'Problems', items: ['Asthma · since 2001'] },
      { title: 'Allergies and intolerances', items: ['Nil known'] },
      { title: 'Vital signs', items: ['Blood pressure: 120.5/80 mmHg · on Dec 1, 2026', 'Body temperature: 37.16 °C'] },
      // The names and unit words My health uses, not LOINC's long names or UCUM codes.
      { title: 'Results', items: ['Hemoglobin A1c/Hemoglobin.total: 7.2 %', 'Blood pressure: 132/84 mmHg'] },
    ]);
  });
});

describe('health links', () => {
  const answer = {
    resourceType: 'Parameters' as const,
    parameter: [
      {
        name: 'link',
        part: [
          { name: 'id', valueString: 'l1' },
          { name: 'label', valueString: 'Dr Lee' },
          { name: 'created', valueInstant: '2026-12-01T10:00:00.000Z' },
          { name: 'expires', valueInstant: '2026-12-08T10:00:00.000Z' },
          { name: 'status', valueCode: 'active' },
          { name: 'passcode', valueBoolean: true },
          { name: 'opened', part: [{ name: 'at', valueInstant: '2026-12-02T09:00:00.000Z' }, { name: 'recipient', valueString: 'Dr Lee, City Hospital' }, { name: 'outcome', valueCode: 'served' }] },
        ],
      },
    ],
  };

  it('reads each link with its openings, and finds the link an audited opening went through', () => {
    const links = linkViews(answer);
    expect(links).toEqual([{ id: 'l1', label: 'Dr Lee', created: '2026-12-01T10:00:00.000Z', expires: '2026-12-08T10:00:00.000Z', status: 'active', passcode: true, openings: [{ at: '2026-12-02T09:00:00.000Z', recipient: 'Dr Lee, City Hospital', address: '', outcome: 'served' }] }]);
    expect(linkOpened(links, 'Dr Lee, City Hospital', '2026-12-02T09:00:00.400Z')).toBe('Dr Lee');
    expect(linkOpened(links, 'Someone else', '2026-12-02T09:00:00.400Z')).toBeUndefined();
    expect(linkOpened(links, 'Dr Lee, City Hospital', '2026-12-03T09:00:00.000Z')).toBeUndefined();
  });
});
