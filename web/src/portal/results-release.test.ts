import type { Observation, Task } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { whatItMeasures } from './plain-language.ts';
import { awaitingReview, isReleased, releaseRuleText } from './results-release.ts';

const NOW = new Date('2026-12-06T12:00:00Z');
const a1c = (id: string, issued: string, status: Observation['status'] = 'final'): Observation => ({ resourceType: 'Observation', id, status, code: { text: 'A1c' }, issued });
const review = (id: string, status: Task['status']): Task => ({ resourceType: 'Task', status, intent: 'order', focus: { reference: `Observation/${id}` } });

describe('results release', () => {
  const open = awaitingReview([review('new', 'requested'), review('signed', 'completed')]);

  it('knows which results wait for a review: only open review Tasks count', () => {
    expect([...open]).toEqual(['Observation/new']);
  });

  it('immediately: every final result, never a preliminary one', () => {
    expect(isReleased(a1c('new', '2026-12-06T10:00:00Z'), { mode: 'immediate' }, open, NOW)).toBe(true);
    expect(isReleased(a1c('p', '2026-12-06T10:00:00Z', 'preliminary'), { mode: 'immediate' }, open, NOW)).toBe(false);
  });

  it('after review: held while its review is open; results that never had one are history', () => {
    expect(isReleased(a1c('new', '2026-01-01T00:00:00Z'), { mode: 'after-review' }, open, NOW)).toBe(false);
    expect(isReleased(a1c('signed', '2026-12-06T10:00:00Z'), { mode: 'after-review' }, open, NOW)).toBe(true);
    expect(isReleased(a1c('old', '2020-01-01T00:00:00Z'), { mode: 'after-review' }, open, NOW)).toBe(true);
  });

  it('after N days: released N days after final, or sooner once reviewed', () => {
    const rule = { mode: 'delayed' as const, delayDays: 3 };
    expect(isReleased(a1c('new', '2026-12-04T12:00:00Z'), rule, open, NOW)).toBe(false);
    expect(isReleased(a1c('new', '2026-12-03T12:00:00Z'), rule, open, NOW)).toBe(true);
    expect(isReleased(a1c('signed', '2026-12-06T11:00:00Z'), rule, open, NOW)).toBe(true);
  });

  it('tells the patient the rule in plain words', () => {
    expect(releaseRuleText({ mode: 'delayed', delayDays: 3 })).toBe('Results appear here 3 days after they are final, or sooner when your clinician has reviewed them.');
    expect(releaseRuleText({ mode: 'after-review' })).toMatch(/once your clinician has reviewed/);
    expect(releaseRuleText({ mode: 'immediate' })).toMatch(/as soon as they are final/);
  });

  it('says what common tests measure and nothing for others', () => {
    expect(whatItMeasures('4548-4')).toMatch(/average blood sugar/);
    expect(whatItMeasures('99999-9')).toBeUndefined();
    expect(whatItMeasures(undefined)).toBeUndefined();
  });
});
