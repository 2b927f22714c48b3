import type { Extension, Organization } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { DEFAULT_SETTINGS, LIMITS, readSettings, SETTING_URLS, settingPath, settingsIssues } from './practice-settings.ts';

const org = (...extension: Extension[]): Organization => ({ resourceType: 'Organization', name: 'Riverside Family Practice', extension });
const release = (mode: string, delayDays?: number): Extension => ({
  url: SETTING_URLS.resultsRelease,
  extension: [{ url: 'mode', valueCode: mode }, ...(delayDays !== undefined ? [{ url: 'delayDays', valueUnsignedInt: delayDays }] : [])],
});
const idle = (minutes: number): Extension => ({ url: SETTING_URLS.idleTimeout, valuePositiveInt: minutes });
const attachments = (maxMegabytes: number, ...types: string[]): Extension => ({
  url: SETTING_URLS.attachments,
  extension: [{ url: 'maxMegabytes', valuePositiveInt: maxMegabytes }, ...types.map((t) => ({ url: 'allowedType', valueCode: t }))],
});
const where = (o: Organization) => settingsIssues(o).map((i) => i.expression?.[0]);

describe('practice settings', () => {
  it('reads the defaults from an Organization without settings, and from none', () => {
    expect(readSettings(undefined)).toEqual(DEFAULT_SETTINGS);
    expect(readSettings(org())).toEqual(DEFAULT_SETTINGS);
    expect(settingsIssues(org())).toEqual([]);
  });

  it('reads every setting', () => {
    const settings = readSettings(
      org(release('delayed', 3), idle(10), attachments(5, 'application/pdf'), {
        url: SETTING_URLS.selfScheduling,
        extension: [{ url: 'book', valueBoolean: true }, { url: 'cancel', valueBoolean: true }, { url: 'needsApproval', valueBoolean: false }],
      }),
    );
    expect(settings).toEqual({
      resultsRelease: { mode: 'delayed', delayDays: 3 },
      selfScheduling: { book: true, cancel: true, reschedule: false, needsApproval: false },
      attachments: { maxMegabytes: 5, types: ['application/pdf'] },
      idleMinutes: 10,
    });
  });

  it('reads an unusable value as its default (a stored bad value never stops a sign-in)', () => {
    const settings = readSettings(org(release('delayed', 99), idle(600), attachments(500, 'video/mp4')));
    expect(settings.resultsRelease).toEqual(DEFAULT_SETTINGS.resultsRelease);
    expect(settings.idleMinutes).toBeUndefined();
    expect(settings.attachments).toEqual({ maxMegabytes: DEFAULT_SETTINGS.attachments.maxMegabytes, types: [] });
  });

  it('accepts the ends of every range and refuses just beyond, naming the field', () => {
    const { min, max } = LIMITS.idleMinutes;
    expect(settingsIssues(org(idle(min)))).toEqual([]);
    expect(settingsIssues(org(idle(max)))).toEqual([]);
    expect(where(org(idle(min - 1)))).toEqual([settingPath(SETTING_URLS.idleTimeout)]);
    expect(settingsIssues(org(idle(max + 1)))[0]).toMatchObject({ code: 'business-rule', diagnostics: `The idle time-out is from ${min} to ${max} minutes.` });

    expect(settingsIssues(org(release('delayed', LIMITS.releaseDelayDays.max)))).toEqual([]);
    expect(where(org(release('delayed', 0)))).toEqual([settingPath(SETTING_URLS.resultsRelease, 'delayDays')]);
    expect(where(org(release('delayed')))).toEqual([settingPath(SETTING_URLS.resultsRelease, 'delayDays')]);
    expect(where(org(release('immediate', 3)))).toEqual([settingPath(SETTING_URLS.resultsRelease, 'delayDays')]);
    expect(where(org(release('whenever')))).toEqual([settingPath(SETTING_URLS.resultsRelease, 'mode')]);

    expect(settingsIssues(org(attachments(20, 'application/pdf', 'image/heic')))).toEqual([]);
    expect(where(org(attachments(21)))).toEqual([settingPath(SETTING_URLS.attachments, 'maxMegabytes')]);
    expect(where(org(attachments(5, 'application/x-msdownload')))).toEqual([settingPath(SETTING_URLS.attachments, 'allowedType')]);
  });

  it('needs a name, one of each setting, and a small PNG or JPEG logo', () => {
    expect(where({ resourceType: 'Organization', name: '  ' })).toEqual(['Organization.name']);
    expect(where(org(idle(10), idle(12)))).toEqual([settingPath(SETTING_URLS.idleTimeout)]);
    const logo = (contentType: string, bytes: number): Extension => ({ url: SETTING_URLS.logo, valueAttachment: { contentType, data: Buffer.alloc(bytes).toString('base64') } });
    expect(settingsIssues(org(logo('image/png', 1000)))).toEqual([]);
    expect(where(org(logo('image/gif', 1000)))).toEqual([settingPath(SETTING_URLS.logo)]);
    expect(where(org(logo('image/png', LIMITS.logoBytes + 1)))).toEqual([settingPath(SETTING_URLS.logo)]);
  });
});
