import { describe, expect, it } from 'vitest';
import { acceptedAnswer, amendedVersion, answerOf, chartSectionOf, correctionRequest, correctionsByItem, deniedAnswer, isCorrectionRequest, markerText, proposedWording, stateOf, statementOfDisagreement, statementsByRequest } from './correction-requests.ts';

const item = { reference: 'AllergyIntolerance/a1', display: 'Penicillin' };

describe('correction requests', () => {
  it('a request names the item with its words, says what is wrong and, if given, what it should say', () => {
    const task = correctionRequest(item, 'p1', 'Patient/p1', '  Not allergic to penicillin ', ' Amoxicillin ', '2026-12-05T10:00:00Z');
    expect(isCorrectionRequest(task)).toBe(true);
    expect(task).toMatchObject({ status: 'requested', for: { reference: 'Patient/p1' }, focus: item, requester: { reference: 'Patient/p1' }, description: 'Not allergic to penicillin' });
    expect(proposedWording(task)).toBe('Amoxicillin');
    expect(stateOf(task)).toBe('waiting');
    expect(correctionRequest(item, 'p1', 'Patient/p1', 'Wrong', '  ', 'x').input).toBeUndefined();
  });

  it('an acceptance names the amended version and what changed; a denial its reason', () => {
    const task = { ...correctionRequest(item, 'p1', 'Patient/p1', 'Wrong', '', '2026-12-05T10:00:00Z'), id: 't1' };
    const accepted = acceptedAnswer(task, ' Changed to amoxicillin ', 'AllergyIntolerance/a1/_history/2', 'Practitioner/d', '2026-12-06T10:00:00Z');
    expect(stateOf(accepted)).toBe('accepted');
    expect(answerOf(accepted)).toBe('Changed to amoxicillin');
    expect(amendedVersion(accepted)).toBe('AllergyIntolerance/a1/_history/2');
    expect(acceptedAnswer(task, 'Noted', undefined, 'Practitioner/d', 'x').output).toBeUndefined();
    const denied = deniedAnswer(task, 'The record is right', 'Practitioner/d', 'x');
    expect(stateOf(denied)).toBe('denied');
    expect(answerOf(denied)).toBe('The record is right');
    // The request itself is kept as the patient wrote it (the server refuses otherwise).
    expect(denied.description).toBe(task.description);
    expect(markerText(denied)).toBe('Patient requested a correction — denied');
    expect(markerText(task)).toBe('Patient requested a correction — waiting for an answer');
  });

  it('finds an item’s requests, newest first, whatever version they name; and the statements about a request', () => {
    const older = { ...correctionRequest(item, 'p1', 'Patient/p1', 'A', '', '2026-12-01T00:00:00Z'), id: 'old' };
    const newer = { ...correctionRequest({ ...item, reference: 'AllergyIntolerance/a1/_history/1' }, 'p1', 'Patient/p1', 'B', '', '2026-12-03T00:00:00Z'), id: 'new' };
    const other = { ...correctionRequest({ reference: 'Condition/c1', display: 'Asthma' }, 'p1', 'Patient/p1', 'C', '', '2026-12-02T00:00:00Z'), id: 'c' };
    const map = correctionsByItem([older, other, newer]);
    expect(map.get('AllergyIntolerance/a1')?.map((t) => t.id)).toEqual(['new', 'old']);
    expect(map.get('Condition/c1')?.map((t) => t.id)).toEqual(['c']);
    const statement = statementOfDisagreement(other, 'Patient/p1', ' I disagree ', 'x');
    expect(statement).toMatchObject({ status: 'in-progress', subject: { reference: 'Patient/p1' }, sender: { reference: 'Patient/p1' }, about: [{ reference: 'Task/c' }], payload: [{ contentString: 'I disagree' }] });
    expect(statement.recipient).toBeUndefined();
    const denied = deniedAnswer(other, 'No', 'Practitioner/d', 'x');
    expect(statementOfDisagreement(denied, 'Patient/p1', 'I disagree', 'x').recipient).toEqual([{ reference: 'Practitioner/d' }]);
    expect(statementsByRequest([statement]).get('Task/c')).toEqual([statement]);
  });

  it('knows where in the chart an item lives', () => {
    expect(chartSectionOf('Condition/1')).toBe('problems');
    expect(chartSectionOf('AllergyIntolerance/1/_history/2')).toBe('allergies');
    expect(chartSectionOf('DocumentReference/1')).toBe('notes');
    expect(chartSectionOf(undefined)).toBe('');
  });
});
