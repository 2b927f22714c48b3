/**
 * The practice's settings, kept on its own Organization resource as Heron extensions
 * (docs/decisions/0004-practice-settings.md): what the server and the apps read, with the
 * defaults that apply while a setting is absent, and the allowed ranges a write is held to.
 * Reading is lenient (anything unusable reads as its default, so one bad value never stops a
 * sign-in); checking is strict (a write with it is refused, naming the field).
 */
import type { Extension, Organization } from '@medplum/fhirtypes';
import { issue, type Issue } from '../../fhir/outcome.ts';
import { DOCUMENT_TYPES } from '../documents/binary-content.ts';
import { hoursIssues, WORKING_HOURS_URL } from '../scheduling/working-hours.ts';

const SD = 'https://heron.dev/fhir/StructureDefinition';
export const SETTING_URLS = {
  logo: `${SD}/practice-logo`,
  resultsRelease: `${SD}/results-release`,
  selfScheduling: `${SD}/patient-self-scheduling`,
  attachments: `${SD}/message-attachments`,
  idleTimeout: `${SD}/idle-timeout-minutes`,
} as const;

export const RESULTS_RELEASE_MODES = ['immediate', 'delayed', 'after-review'] as const;
export type ResultsReleaseMode = (typeof RESULTS_RELEASE_MODES)[number];

/** The allowed ranges; the web form states the same. */
export const LIMITS = {
  /** Days a result may wait before patients see it unreviewed. */
  releaseDelayDays: { min: 1, max: 14 },
  /** Per attachment of a patient message, within what any Binary may be (20 MiB). */
  attachmentMegabytes: { min: 1, max: 20 },
  /** Idle minutes before a signed-in session ends: at least long enough for the one-minute warning to be useful, at most ASVS L2's 30. */
  idleMinutes: { min: 5, max: 30 },
  /** The logo travels inside the Organization every printout reads, so it stays small. */
  logoBytes: 200 * 1024,
  nameLength: 200,
} as const;

export const LOGO_TYPES = ['image/png', 'image/jpeg'] as const;
/** What a patient may attach to a message: the types a Binary may hold. */
export const ATTACHMENT_TYPES: readonly string[] = DOCUMENT_TYPES.map((t) => t.contentType);

export interface PracticeSettings {
  resultsRelease: { mode: ResultsReleaseMode; delayDays?: number };
  selfScheduling: { book: boolean; cancel: boolean; reschedule: boolean; needsApproval: boolean };
  attachments: { maxMegabytes: number; types: string[] };
  /** Undefined: the server's configured idle limit (HERON_SESSION_IDLE_MINUTES, 15 by default). */
  idleMinutes?: number;
}

/**
 * While a practice has chosen nothing: results as soon as they are final (the Cures Act's
 * default for electronic health information), no self-scheduling, PDFs and pictures up to 10 MB.
 */
export const DEFAULT_SETTINGS: PracticeSettings = {
  resultsRelease: { mode: 'immediate' },
  selfScheduling: { book: false, cancel: false, reschedule: false, needsApproval: true },
  attachments: { maxMegabytes: 10, types: ['application/pdf', 'image/jpeg', 'image/png'] },
};

const top = (org: Organization, url: string) => org.extension?.find((e) => e.url === url);
const part = (ext: Extension | undefined, url: string) => ext?.extension?.find((e) => e.url === url);
const parts = (ext: Extension | undefined, url: string) => ext?.extension?.filter((e) => e.url === url) ?? [];
const inRange = (n: unknown, r: { min: number; max: number }): n is number => Number.isInteger(n) && (n as number) >= r.min && (n as number) <= r.max;

/** The settings an Organization holds, each unusable or absent one as its default. */
export function readSettings(org: Organization | undefined): PracticeSettings {
  if (!org) return DEFAULT_SETTINGS;
  const release = top(org, SETTING_URLS.resultsRelease);
  const mode = part(release, 'mode')?.valueCode as ResultsReleaseMode | undefined;
  const delayDays = part(release, 'delayDays')?.valueUnsignedInt;
  const resultsRelease =
    mode === 'delayed' ? (inRange(delayDays, LIMITS.releaseDelayDays) ? { mode, delayDays } : DEFAULT_SETTINGS.resultsRelease) : mode && RESULTS_RELEASE_MODES.includes(mode) ? { mode } : DEFAULT_SETTINGS.resultsRelease;
  const scheduling = top(org, SETTING_URLS.selfScheduling);
  const flag = (name: keyof PracticeSettings['selfScheduling']) => part(scheduling, name)?.valueBoolean ?? DEFAULT_SETTINGS.selfScheduling[name];
  const attachments = top(org, SETTING_URLS.attachments);
  const maxMegabytes = part(attachments, 'maxMegabytes')?.valuePositiveInt;
  const types = parts(attachments, 'allowedType').map((e) => e.valueCode!).filter((t) => ATTACHMENT_TYPES.includes(t));
  const idle = top(org, SETTING_URLS.idleTimeout)?.valuePositiveInt;
  return {
    resultsRelease,
    selfScheduling: { book: flag('book'), cancel: flag('cancel'), reschedule: flag('reschedule'), needsApproval: flag('needsApproval') },
    attachments: {
      maxMegabytes: inRange(maxMegabytes, LIMITS.attachmentMegabytes) ? maxMegabytes : DEFAULT_SETTINGS.attachments.maxMegabytes,
      types: attachments ? types : DEFAULT_SETTINGS.attachments.types,
    },
    ...(inRange(idle, LIMITS.idleMinutes) ? { idleMinutes: idle } : {}),
  };
}

/** The FHIRPath of a setting, as an OperationOutcome's `expression` (the web app finds its field by it). */
export function settingPath(url: string, sub?: string): string {
  return `Organization.extension('${url}')${sub ? `.extension('${sub}')` : ''}`;
}

/** Everything wrong with the practice's details and settings; none for a valid one. */
export function settingsIssues(org: Organization): Issue[] {
  const out: Issue[] = [];
  const bad = (message: string, expression: string) => out.push(issue('business-rule', message, expression));
  const name = org.name?.trim() ?? '';
  if (!name) bad('The practice needs a name (it is printed on every printout).', 'Organization.name');
  else if (name.length > LIMITS.nameLength) bad(`The practice name is at most ${LIMITS.nameLength} characters.`, 'Organization.name');
  for (const url of Object.values(SETTING_URLS)) {
    if ((org.extension ?? []).filter((e) => e.url === url).length > 1) bad('This setting is given more than once.', settingPath(url));
  }

  const logo = top(org, SETTING_URLS.logo)?.valueAttachment;
  if (top(org, SETTING_URLS.logo) && !logo?.data) bad('The logo must be a picture carried in the setting (attachment data).', settingPath(SETTING_URLS.logo));
  else if (logo) {
    if (!LOGO_TYPES.includes(logo.contentType as (typeof LOGO_TYPES)[number])) bad('The logo must be a PNG or JPEG picture.', settingPath(SETTING_URLS.logo));
    if (Buffer.from(logo.data!, 'base64').length > LIMITS.logoBytes) bad(`The logo may be at most ${LIMITS.logoBytes / 1024} KB.`, settingPath(SETTING_URLS.logo));
  }

  const release = top(org, SETTING_URLS.resultsRelease);
  if (release) {
    const mode = part(release, 'mode')?.valueCode;
    const days = part(release, 'delayDays')?.valueUnsignedInt;
    const { min, max } = LIMITS.releaseDelayDays;
    if (!RESULTS_RELEASE_MODES.includes(mode as ResultsReleaseMode)) bad('Results are released immediately, after a delay, or after clinician review.', settingPath(SETTING_URLS.resultsRelease, 'mode'));
    else if (mode === 'delayed' && !inRange(days, LIMITS.releaseDelayDays)) bad(`A release delay is from ${min} to ${max} days.`, settingPath(SETTING_URLS.resultsRelease, 'delayDays'));
    else if (mode !== 'delayed' && days !== undefined) bad('A delay in days is given only when results are released after a delay.', settingPath(SETTING_URLS.resultsRelease, 'delayDays'));
  }

  const attachments = top(org, SETTING_URLS.attachments);
  if (attachments) {
    const { min, max } = LIMITS.attachmentMegabytes;
    if (!inRange(part(attachments, 'maxMegabytes')?.valuePositiveInt, LIMITS.attachmentMegabytes)) bad(`An attachment's largest size is from ${min} to ${max} MB.`, settingPath(SETTING_URLS.attachments, 'maxMegabytes'));
    const unknown = parts(attachments, 'allowedType').map((e) => e.valueCode ?? '').filter((t) => !ATTACHMENT_TYPES.includes(t));
    if (unknown.length > 0) bad(`Attachments may be of these types only: ${ATTACHMENT_TYPES.join(', ')} (not ${unknown.join(', ')}).`, settingPath(SETTING_URLS.attachments, 'allowedType'));
  }

  // The hours patients book into (scheduling/working-hours.ts).
  const hours = top(org, WORKING_HOURS_URL);
  if (hours) out.push(...hoursIssues(hours));

  const idle = top(org, SETTING_URLS.idleTimeout);
  if (idle && !inRange(idle.valuePositiveInt, LIMITS.idleMinutes)) {
    bad(`The idle time-out is from ${LIMITS.idleMinutes.min} to ${LIMITS.idleMinutes.max} minutes.`, settingPath(SETTING_URLS.idleTimeout));
  }
  return out;
}
