import { describe, expect, it } from 'vitest';
import type { Observation } from '@medplum/fhirtypes';
import { allergiesBlock, insertAt, isInsertedHeader, vitalsBlock } from './chart-inserts.ts';
import { draftNote, sectionsOf, signActionFor, signState, signedNote, visitToday, withSections } from './note-resource.ts';
import { base64ToText, noteMarkdown, parseNote, sectionsWordCount, wordCount } from './note-text.ts';
import { availableTemplates, basicFromTemplate, BUILT_IN_TEMPLATES, expandTemplate, placeholdersIn, templateFromBasic } from './templates.ts';

const NOW = '2026-12-05T10:00:00.000Z';
const obs = (code: string, value: number, unit: string, when: string, id: string): Observation => ({
  resourceType: 'Observation',
  id,
  status: 'final',
  code: { coding: [{ system: 'http://loinc.org', code }] },
  effectiveDateTime: when,
  valueQuantity: { value, code: unit, unit },
});

describe('note text', () => {
  it('round-trips sections through Markdown and counts words, not markup', () => {
    const sections = [{ title: 'Subjective', text: 'Cough for 3 days; no fever.' }, { title: 'Plan', text: 'Rest, fluids.' }];
    expect(noteMarkdown(sections)).toBe('## Subjective\n\nCough for 3 days; no fever.\n\n## Plan\n\nRest, fluids.\n');
    expect(parseNote(noteMarkdown(sections))).toEqual(sections);
    expect(parseNote('Loose text\n## A\nx')).toEqual([{ title: 'Note', text: 'Loose text' }, { title: 'A', text: 'x' }]);
    expect(wordCount('BP 128/82 mmHg · HR 72 — patient’s well.')).toBe(7);
    expect(wordCount('  ')).toBe(0);
    expect(sectionsWordCount(sections)).toBe(8);
  });
});

describe('templates', () => {
  it('expands placeholders with chart data, or drops them when there is none', () => {
    const newProblem = BUILT_IN_TEMPLATES[1]!;
    expect(placeholdersIn(BUILT_IN_TEMPLATES[0]!)).toEqual([]);
    expect(placeholdersIn(newProblem)).toEqual(['vitals', 'problems', 'medications', 'allergies']);
    const expanded = expandTemplate(newProblem, { vitals: '[Inserted from chart: Vitals, as of x]\nBP 120/80 mmHg' });
    expect(expanded[1]).toEqual({ title: 'Objective', text: '[Inserted from chart: Vitals, as of x]\nBP 120/80 mmHg\nExam: ' });
    expect(expanded[0]!.text).toBe('Chief complaint: \nHistory of present illness: \n');
    expect(expandTemplate(newProblem, {})[1]!.text).toBe('Exam: ');
  });

  it('stores a practice template as a Basic and reads it back; one of the same title replaces a built-in', () => {
    const basic = { ...basicFromTemplate({ title: 'Diabetes review', sections: [{ title: 'Subjective', text: 'Sugars: ' }] }), id: 'b1' };
    expect(templateFromBasic(basic)).toMatchObject({ id: 'b1', title: 'Diabetes review', sections: [{ title: 'Subjective', text: 'Sugars: ' }] });
    expect(availableTemplates([]).map((t) => t.id)).toEqual(['builtin-follow-up', 'builtin-new-problem']);
    expect(availableTemplates([basic]).map((t) => t.title)).toEqual(['Diabetes review', 'Follow-up visit (SOAP)', 'New problem (SOAP)']);
    const ownFollowUp = { ...basicFromTemplate({ title: 'Follow-up visit (SOAP)', sections: [] }), id: 'b2' };
    expect(availableTemplates([ownFollowUp]).map((t) => t.id)).toEqual(['b2', 'builtin-new-problem']);
  });
});

describe('inserted chart data', () => {
  it('says it was inserted and as of when, and lists the source observations', () => {
    const block = vitalsBlock(
      [
        { ...obs('85354-9', 0, '', '2026-12-05T09:40:00Z', 'bp'), valueQuantity: undefined, component: [{ code: { coding: [{ system: 'http://loinc.org', code: '8480-6' }] }, valueQuantity: { value: 128, code: 'mm[Hg]' } }, { code: { coding: [{ system: 'http://loinc.org', code: '8462-4' }] }, valueQuantity: { value: 82, code: 'mm[Hg]' } }] },
        obs('8867-4', 72, '/min', '2026-12-05T09:40:00Z', 'hr'),
        obs('29463-7', 80.25, 'kg', '2026-12-05T09:41:00Z', 'wt'),
      ],
      NOW,
    );
    const [first, second] = block.text.split('\n');
    expect(isInsertedHeader(first!)).toBe(true);
    // The date in the user's locale; the time is the newest measurement's (09:41 UTC).
    expect(first).toMatch(/^\[Inserted from chart: Vitals, as of .*2026,? \d\d:41\]$/);
    expect(second).toBe('BP 128/82 mmHg · Heart rate 72/min · Weight 80.3 kg');
    expect(block.sources).toEqual([{ reference: 'Observation/bp' }, { reference: 'Observation/hr' }, { reference: 'Observation/wt' }]);
    expect(vitalsBlock([], NOW).text).toMatch(/No vital signs recorded\.$/);
    expect(allergiesBlock([], NOW).text).toMatch(/Allergies not recorded\.$/);
  });

  it('inserts a block on lines of its own at the caret', () => {
    expect(insertAt('Exam: ok', 5, 'X')).toEqual({ text: 'Exam:\nX\n ok', caret: 8 });
    expect(insertAt('', 0, 'X')).toEqual({ text: 'X', caret: 1 });
  });
});

describe('sign state', () => {
  const doctor = { reference: 'Practitioner/doc', display: 'Dr. Dana Whitfield' };
  const draft = { ...draftNote([{ title: 'Plan', text: 'Rest' }], { patientId: 'p1', author: doctor, encounter: 'Encounter/e1', title: 'Follow-up', now: NOW }), id: 'n1' };

  it('a draft is signed by its author only; signing makes it final with the signer as authenticator', () => {
    expect(draft).toMatchObject({ docStatus: 'preliminary', subject: { reference: 'Patient/p1' }, context: { encounter: [{ reference: 'Encounter/e1' }] } });
    expect(base64ToText(draft.content[0]!.attachment.data!)).toBe('## Plan\n\nRest\n');
    expect(signState(draft)).toBe('draft');
    expect(signActionFor(draft, { role: 'physician', fhirUser: 'Practitioner/doc' })).toEqual({ kind: 'sign' });
    expect(signActionFor(draft, { role: 'physician', fhirUser: 'Practitioner/other' }).kind).toBe('none');
    expect(signActionFor(draft, { role: 'physician' }).kind).toBe('none');
    const signed = signedNote(draft, doctor, NOW, 'sign');
    expect(signed).toMatchObject({ docStatus: 'final', authenticator: doctor });
    expect(signState(signed)).toBe('signed');
    expect(signActionFor(signed, { role: 'physician', fhirUser: 'Practitioner/doc' }).kind).toBe('none');
  });

  it('a resident’s signature awaits the named supervisor, who alone may co-sign', () => {
    const byResident = { ...draft, author: [{ reference: 'Practitioner/res' }] };
    expect(signActionFor(byResident, { role: 'resident', fhirUser: 'Practitioner/res' })).toEqual({ kind: 'sign-for-cosignature' });
    const pending = signedNote(byResident, { reference: 'Practitioner/res' }, NOW, { supervisor: doctor });
    expect(pending.docStatus).toBe('preliminary');
    expect(signState(pending)).toBe('awaiting-cosignature');
    expect(signActionFor(pending, { role: 'physician', fhirUser: 'Practitioner/doc' })).toEqual({ kind: 'cosign' });
    expect(signActionFor(pending, { role: 'physician', fhirUser: 'Practitioner/other' })).toEqual({ kind: 'none', why: 'Waiting for Dr. Dana Whitfield to co-sign.' });
    expect(signState(signedNote(pending, doctor, NOW, 'cosign'))).toBe('signed');
  });

  it('keeps inserted sources once and reads the sections back', () => {
    const edited = withSections(withSections(draft, [{ title: 'Objective', text: 'BP' }], [{ reference: 'Observation/bp' }]), [{ title: 'Objective', text: 'BP 120/80' }], [{ reference: 'Observation/bp' }]);
    expect(edited.context?.related).toEqual([{ reference: 'Observation/bp' }]);
    expect(sectionsOf(edited)).toEqual([{ title: 'Objective', text: 'BP 120/80' }]);
  });

  it('finds today’s visit in progress', () => {
    const now = new Date('2026-12-05T15:00:00');
    const visit = { resourceType: 'Encounter' as const, status: 'in-progress' as const, class: { code: 'AMB' }, period: { start: new Date('2026-12-05T09:00:00').toISOString() } };
    expect(visitToday([visit], now)).toBe(visit);
    expect(visitToday([{ ...visit, status: 'finished' }], now)).toBeUndefined();
    expect(visitToday([{ ...visit, period: { start: new Date('2026-12-04T09:00:00').toISOString() } }], now)).toBeUndefined();
  });
});
