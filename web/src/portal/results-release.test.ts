import { describe, expect, it } from 'vitest';
import { whatItMeasures } from './plain-language.ts';
import { releaseRuleText } from './results-release.ts';

describe('results release', () => {
  it('tells the patient the rule in plain words', () => {
    expect(releaseRuleText({ mode: 'delayed', delayDays: 3 })).toBe('Results appear here 3 days after they are final, or sooner when your clinician has reviewed them.');
    expect(releaseRuleText({ mode: 'delayed', delayDays: 1 })).toBe('Results appear here 1 day after they are final, or sooner when your clinician has reviewed them.');
    expect(releaseRuleText({ mode: 'after-review' })).toMatch(/once your clinician has reviewed/);
    expect(releaseRuleText({ mode: 'immediate' })).toMatch(/as soon as they are final/);
  });

  it('says what common tests measure and nothing for others', () => {
    expect(whatItMeasures('4548-4')).toMatch(/average blood sugar/);
    expect(whatItMeasures('99999-9')).toBeUndefined();
    expect(whatItMeasures(undefined)).toBeUndefined();
  });
});
