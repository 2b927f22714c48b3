/**
 * The practice's details and settings as the app reads and edits them: the practice's own
 * Organization (identifier `https://heron.dev/fhir/NamingSystem/practice|<id>`) with Heron
 * extensions, the server's rules in docs/decisions/0004-practice-settings.md. Pure: the form ↔ the
 * resource, the same ranges the server checks (so most mistakes show before sending), which form
 * field a server error names, and the letterhead printouts carry.
 */
import type { Address, Extension, Organization } from '@medplum/fhirtypes';

export const PRACTICE_SEARCH = { identifier: 'https://heron.dev/fhir/NamingSystem/practice|', _count: 1 } as const;

const SD = 'https://heron.dev/fhir/StructureDefinition';
const URLS = {
  logo: `${SD}/practice-logo`,
  resultsRelease: `${SD}/results-release`,
  selfScheduling: `${SD}/patient-self-scheduling`,
  attachments: `${SD}/message-attachments`,
  idleTimeout: `${SD}/idle-timeout-minutes`,
} as const;

export const RANGES = {
  delayDays: { min: 1, max: 14 },
  maxMegabytes: { min: 1, max: 20 },
  idleMinutes: { min: 5, max: 30 },
} as const;
export const LOGO_MAX_BYTES = 200 * 1024;
export const SERVER_IDLE_MINUTES = 15;

export type ReleaseMode = 'immediate' | 'delayed' | 'after-review';
export const RELEASE_MODES: readonly { id: ReleaseMode; label: string; description: string }[] = [
  { id: 'immediate', label: 'Immediately', description: 'Patients see a result as soon as it is final, before anyone has reviewed it.' },
  { id: 'delayed', label: 'After a delay', description: 'Patients see a result a number of days after it is final, reviewed or not.' },
  { id: 'after-review', label: 'After a clinician reviews it', description: 'Patients see a result once the ordering clinician has signed it off.' },
];

/** What patients may attach to a message (the types any stored file may have). */
export const ATTACHMENT_TYPES: readonly { id: string; label: string }[] = [
  { id: 'application/pdf', label: 'PDF documents' },
  { id: 'image/jpeg', label: 'JPEG pictures' },
  { id: 'image/png', label: 'PNG pictures' },
  { id: 'image/webp', label: 'WebP pictures' },
  { id: 'image/heic', label: 'HEIC pictures (iPhone)' },
  { id: 'text/plain', label: 'Plain text' },
];

export interface Logo {
  contentType: string;
  /** Base64. */
  data: string;
}

/** Everything the settings page edits, as typed (numbers as text, so nothing typed is rewritten). */
export interface SettingsForm {
  name: string;
  addressLine: string;
  city: string;
  state: string;
  postalCode: string;
  phone: string;
  logo: Logo | null;
  releaseMode: ReleaseMode;
  delayDays: string;
  book: boolean;
  cancel: boolean;
  reschedule: boolean;
  needsApproval: boolean;
  maxMegabytes: string;
  attachmentTypes: string[];
  /** Empty: the server's own limit. */
  idleMinutes: string;
}
export type SettingsField = keyof SettingsForm;

/** The settings other screens act on; defaults while the practice has chosen nothing. */
export interface PracticeSettings {
  resultsRelease: { mode: ReleaseMode; delayDays?: number };
  selfScheduling: { book: boolean; cancel: boolean; reschedule: boolean; needsApproval: boolean };
  attachments: { maxMegabytes: number; types: string[] };
  idleMinutes?: number;
}

/** What every printout puts at its top. */
export interface Letterhead {
  name: string;
  /** One line: street, city, state and ZIP. */
  address?: string;
  phone?: string;
  logo?: Logo;
}

const top = (org: Organization | undefined, url: string) => org?.extension?.find((e) => e.url === url);
const sub = (ext: Extension | undefined, url: string) => ext?.extension?.find((e) => e.url === url);
const phoneOf = (org: Organization | undefined) => org?.telecom?.find((t) => t.system === 'phone')?.value;

export function formFrom(org: Organization | undefined, fallbackName = ''): SettingsForm {
  const s = settingsFrom(org);
  const address = org?.address?.[0];
  const logo = top(org, URLS.logo)?.valueAttachment;
  return {
    name: org?.name ?? fallbackName,
    addressLine: address?.line?.join(', ') ?? '',
    city: address?.city ?? '',
    state: address?.state ?? '',
    postalCode: address?.postalCode ?? '',
    phone: phoneOf(org) ?? '',
    logo: logo?.data && logo.contentType ? { contentType: logo.contentType, data: logo.data } : null,
    releaseMode: s.resultsRelease.mode,
    delayDays: String(s.resultsRelease.delayDays ?? 3),
    ...s.selfScheduling,
    maxMegabytes: String(s.attachments.maxMegabytes),
    attachmentTypes: s.attachments.types,
    idleMinutes: s.idleMinutes === undefined ? '' : String(s.idleMinutes),
  };
}

export function settingsFrom(org: Organization | undefined): PracticeSettings {
  const release = top(org, URLS.resultsRelease);
  const mode = sub(release, 'mode')?.valueCode as ReleaseMode | undefined;
  const days = sub(release, 'delayDays')?.valueUnsignedInt;
  const scheduling = top(org, URLS.selfScheduling);
  const flag = (name: string, byDefault: boolean) => sub(scheduling, name)?.valueBoolean ?? byDefault;
  const attachments = top(org, URLS.attachments);
  const idle = top(org, URLS.idleTimeout)?.valuePositiveInt;
  return {
    resultsRelease: mode === 'delayed' && days !== undefined ? { mode, delayDays: days } : mode === 'after-review' ? { mode } : { mode: 'immediate' },
    selfScheduling: { book: flag('book', false), cancel: flag('cancel', false), reschedule: flag('reschedule', false), needsApproval: flag('needsApproval', true) },
    attachments: attachments
      ? { maxMegabytes: sub(attachments, 'maxMegabytes')?.valuePositiveInt ?? 10, types: (attachments.extension ?? []).filter((e) => e.url === 'allowedType').map((e) => e.valueCode!) }
      : { maxMegabytes: 10, types: ['application/pdf', 'image/jpeg', 'image/png'] },
    ...(idle !== undefined ? { idleMinutes: idle } : {}),
  };
}

export function letterheadFrom(org: Organization | undefined, fallbackName: string): Letterhead {
  const a = org?.address?.[0];
  const place = [a?.city, [a?.state, a?.postalCode].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  const address = [a?.line?.join(', '), place].filter(Boolean).join(', ');
  const phone = phoneOf(org);
  const logo = formFrom(org).logo;
  return { name: org?.name?.trim() || fallbackName, ...(address ? { address } : {}), ...(phone ? { phone } : {}), ...(logo ? { logo } : {}) };
}

const whole = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : NaN);

/** The settings' extensions in the form; the stored resource's other elements and extensions stay as they were. */
export function organizationFrom(form: SettingsForm, stored: Organization): Organization {
  const mine = new Set<string>(Object.values(URLS));
  const extension: Extension[] = [
    ...(stored.extension ?? []).filter((e) => !mine.has(e.url)),
    ...(form.logo ? [{ url: URLS.logo, valueAttachment: { contentType: form.logo.contentType, data: form.logo.data } }] : []),
    {
      url: URLS.resultsRelease,
      extension: [{ url: 'mode', valueCode: form.releaseMode }, ...(form.releaseMode === 'delayed' ? [{ url: 'delayDays', valueUnsignedInt: whole(form.delayDays) }] : [])],
    },
    { url: URLS.selfScheduling, extension: (['book', 'cancel', 'reschedule', 'needsApproval'] as const).map((k) => ({ url: k, valueBoolean: form[k] })) },
    {
      url: URLS.attachments,
      extension: [{ url: 'maxMegabytes', valuePositiveInt: whole(form.maxMegabytes) }, ...form.attachmentTypes.map((t) => ({ url: 'allowedType', valueCode: t }))],
    },
    ...(form.idleMinutes.trim() ? [{ url: URLS.idleTimeout, valuePositiveInt: whole(form.idleMinutes) }] : []),
  ];
  const address: Address = { ...stored.address?.[0] };
  for (const [key, value] of [['city', form.city], ['state', form.state], ['postalCode', form.postalCode]] as const) {
    if (value.trim()) address[key] = value.trim();
    else delete address[key];
  }
  if (form.addressLine.trim()) address.line = [form.addressLine.trim()];
  else delete address.line;
  const hasAddress = Boolean(address.line ?? address.city ?? address.state ?? address.postalCode);
  const otherTelecom = (stored.telecom ?? []).filter((t) => t.system !== 'phone');
  const { address: _a, telecom: _t, extension: _e, ...rest } = stored;
  return {
    ...rest,
    name: form.name.trim(),
    ...(hasAddress || (stored.address?.length ?? 0) > 1 ? { address: [...(hasAddress ? [address] : []), ...(stored.address?.slice(1) ?? [])] } : {}),
    ...(form.phone.trim() || otherTelecom.length > 0 ? { telecom: [...(form.phone.trim() ? [{ system: 'phone' as const, value: form.phone.trim(), use: 'work' as const }] : []), ...otherTelecom] } : {}),
    extension,
  };
}

/** What is wrong with the form before it is sent (the server checks again). */
export function formProblems(form: SettingsForm): Partial<Record<SettingsField, string>> {
  const out: Partial<Record<SettingsField, string>> = {};
  const range = (field: SettingsField, r: { min: number; max: number }, unit: string) => {
    const n = whole(form[field] as string);
    if (!(n >= r.min && n <= r.max)) out[field] = `A whole number of ${unit} from ${r.min} to ${r.max}.`;
  };
  if (!form.name.trim()) out.name = 'The practice needs a name: it is printed on every printout.';
  if (form.releaseMode === 'delayed') range('delayDays', RANGES.delayDays, 'days');
  range('maxMegabytes', RANGES.maxMegabytes, 'MB');
  if (form.attachmentTypes.length === 0) out.attachmentTypes = 'Choose at least one type (or patients cannot attach anything).';
  if (form.idleMinutes.trim()) range('idleMinutes', RANGES.idleMinutes, 'minutes');
  return out;
}

/** The form field a server OperationOutcome issue names by its FHIRPath `expression`. */
export function fieldOfExpression(expression: string): SettingsField | undefined {
  if (expression === 'Organization.name') return 'name';
  if (expression.includes(URLS.logo)) return 'logo';
  if (expression.includes(URLS.resultsRelease)) return expression.includes("'delayDays'") ? 'delayDays' : 'releaseMode';
  if (expression.includes(URLS.attachments)) return expression.includes("'allowedType'") ? 'attachmentTypes' : 'maxMegabytes';
  if (expression.includes(URLS.idleTimeout)) return 'idleMinutes';
  if (expression.includes(URLS.selfScheduling)) return 'book';
  return undefined;
}
