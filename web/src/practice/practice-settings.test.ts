import type { Organization } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { fieldOfExpression, formFrom, formProblems, letterheadFrom, organizationFrom, settingsFrom } from './practice-settings.ts';

const stored: Organization = {
  resourceType: 'Organization',
  id: 'org1',
  meta: { versionId: '3' },
  identifier: [{ system: 'https://heron.dev/fhir/NamingSystem/practice', value: 'p1' }],
  name: 'Demo Practice',
  telecom: [{ system: 'email', value: 'front@example.org' }],
  extension: [{ url: 'https://example.org/other', valueString: 'kept' }],
};

describe('practice settings in the app', () => {
  it('starts a practice without settings at the defaults', () => {
    expect(settingsFrom(stored)).toEqual({
      resultsRelease: { mode: 'immediate' },
      selfScheduling: { book: false, cancel: false, reschedule: false, needsApproval: true },
      attachments: { maxMegabytes: 10, types: ['application/pdf', 'image/jpeg', 'image/png'] },
    });
    expect(formFrom(stored)).toMatchObject({ name: 'Demo Practice', releaseMode: 'immediate', idleMinutes: '', maxMegabytes: '10' });
    expect(letterheadFrom(undefined, 'From sign-in')).toEqual({ name: 'From sign-in' });
  });

  it('writes the form into the Organization and reads back what was written, keeping what it does not edit', () => {
    const form = {
      ...formFrom(stored),
      name: 'Riverside Family Medicine ',
      addressLine: '12 River Road',
      city: 'Springfield',
      state: 'IL',
      postalCode: '62701',
      phone: '(217) 555-0100',
      releaseMode: 'delayed' as const,
      delayDays: '3',
      book: true,
      reschedule: true,
      attachmentTypes: ['application/pdf'],
      idleMinutes: '10',
    };
    const org = organizationFrom(form, stored);
    expect(org.identifier).toEqual(stored.identifier);
    expect(org.meta).toEqual(stored.meta);
    expect(org.extension?.[0]).toEqual({ url: 'https://example.org/other', valueString: 'kept' });
    expect(org.telecom).toEqual([{ system: 'phone', value: '(217) 555-0100', use: 'work' }, { system: 'email', value: 'front@example.org' }]);
    expect(formFrom(org)).toEqual({ ...form, name: 'Riverside Family Medicine' });
    expect(settingsFrom(org)).toEqual({
      resultsRelease: { mode: 'delayed', delayDays: 3 },
      selfScheduling: { book: true, cancel: false, reschedule: true, needsApproval: true },
      attachments: { maxMegabytes: 10, types: ['application/pdf'] },
      idleMinutes: 10,
    });
    expect(letterheadFrom(org, 'x')).toEqual({ name: 'Riverside Family Medicine', address: '12 River Road, Springfield, IL 62701', phone: '(217) 555-0100' });
    // Clearing the time-out goes back to the server's own; clearing the address removes it.
    const cleared = organizationFrom({ ...form, idleMinutes: '', addressLine: '', city: '', state: '', postalCode: '' }, org);
    expect(settingsFrom(cleared).idleMinutes).toBeUndefined();
    expect(cleared.address).toBeUndefined();
  });

  it('checks the ranges before sending, and finds the field a server error names', () => {
    const form = formFrom(stored);
    expect(formProblems(form)).toEqual({});
    expect(formProblems({ ...form, name: ' ', releaseMode: 'delayed', delayDays: '15', maxMegabytes: '2.5', attachmentTypes: [], idleMinutes: '4' })).toEqual({
      name: expect.stringContaining('name'),
      delayDays: 'A whole number of days from 1 to 14.',
      maxMegabytes: 'A whole number of MB from 1 to 20.',
      attachmentTypes: expect.stringContaining('at least one'),
      idleMinutes: 'A whole number of minutes from 5 to 30.',
    });
    // A delay is not asked for unless results wait for it.
    expect(formProblems({ ...form, delayDays: 'x' })).toEqual({});
    const sd = 'https://heron.dev/fhir/StructureDefinition';
    expect(fieldOfExpression(`Organization.extension('${sd}/results-release').extension('delayDays')`)).toBe('delayDays');
    expect(fieldOfExpression(`Organization.extension('${sd}/idle-timeout-minutes')`)).toBe('idleMinutes');
    expect(fieldOfExpression(`Organization.extension('${sd}/message-attachments').extension('allowedType')`)).toBe('attachmentTypes');
    expect(fieldOfExpression('Organization.name')).toBe('name');
    expect(fieldOfExpression('Organization.contact')).toBeUndefined();
  });
});
