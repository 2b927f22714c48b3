/**
 * What each role may do, as data: resource types fall into categories, and each role has SMART
 * permission letters (c create, r read, u update, d delete, s search) per category. Deny by
 * default: a category a role does not list is closed to it. docs/access.md shows this table
 * (a test keeps the two equal).
 *
 * Patients and proxies additionally see only their own compartment (see compartment-access.ts);
 * SMART scopes then narrow whatever the role allows.
 */
import { resourceTypeNames } from '../../fhir/definitions.ts';
import { compartmentMemberTypes } from '../../fhir/search/compartment.ts';
import type { Role } from './principal.ts';

export type Category = 'demographics' | 'clinical' | 'scheduling' | 'billing' | 'directory' | 'audit' | 'subscriptions';

export const CATEGORIES: readonly Category[] = ['demographics', 'clinical', 'scheduling', 'billing', 'directory', 'audit', 'subscriptions'];

/** What each category covers, in words for docs/access.md. */
export const CATEGORY_DESCRIPTIONS: Record<Category, string> = {
  demographics: 'Patient, RelatedPerson, Person',
  clinical: "every other type in the Patient compartment: problems, medications, allergies, results, notes, encounters, orders, care plans, documents, questionnaires' answers, messages…; and Binary (documents' files)",
  scheduling: 'Appointment, AppointmentResponse, Schedule, Slot',
  billing: 'Account, ChargeItem, Claim, ClaimResponse, Coverage, eligibility, ExplanationOfBenefit, Invoice, payments',
  directory: 'every other type outside the Patient compartment: Practitioner, Organization, Location, Medication, Questionnaire, value sets…',
  audit: 'AuditEvent (the audit trail)',
  subscriptions: "Subscription (being told of changes; what a subscriber is told is bounded by its own access, docs/subscriptions.md)",
};

const DEMOGRAPHICS = ['Patient', 'RelatedPerson', 'Person'];
/** Outside the compartment but part of records: Binary holds documents' files (see compartment-access.ts). */
const CLINICAL_CONTENT = ['Binary'];
const SCHEDULING = ['Appointment', 'AppointmentResponse', 'Schedule', 'Slot'];
const SUBSCRIPTIONS = ['Subscription'];
const BILLING = [
  'Account', 'ChargeItem', 'Claim', 'ClaimResponse', 'Coverage', 'CoverageEligibilityRequest', 'CoverageEligibilityResponse',
  'EnrollmentRequest', 'EnrollmentResponse', 'ExplanationOfBenefit', 'Invoice', 'PaymentNotice', 'PaymentReconciliation',
];

/**
 * Permission letters per role and category; absent means none. `c` on audit is reporting an
 * event (`POST AuditEvent`): the apps staff use may record what they did for them (it is
 * appended, attributed to the user and app, and never changes the trail). Reading the trail
 * stays with practice admins; patients and proxies report nothing.
 */
export const ROLE_PERMISSIONS: Record<Role, Partial<Record<Category, string>>> = {
  physician: { demographics: 'crus', clinical: 'cruds', scheduling: 'cruds', billing: 'rs', directory: 'rs', audit: 'c', subscriptions: 'cruds' },
  // Trainees write the record, but their notes are final only once a physician co-signs (docs/notes.md).
  resident: { demographics: 'crus', clinical: 'crus', scheduling: 'crus', billing: 'rs', directory: 'rs', audit: 'c', subscriptions: 'cruds' },
  student: { demographics: 'rs', clinical: 'crus', scheduling: 'rs', directory: 'rs', audit: 'c', subscriptions: 'cruds' },
  nurse: { demographics: 'crus', clinical: 'crus', scheduling: 'cruds', billing: 'rs', directory: 'rs', audit: 'c', subscriptions: 'cruds' },
  'medical-assistant': { demographics: 'crus', clinical: 'crs', scheduling: 'cruds', directory: 'rs', audit: 'c', subscriptions: 'cruds' },
  'front-desk': { demographics: 'crus', scheduling: 'cruds', billing: 'crus', directory: 'rs', audit: 'c', subscriptions: 'cruds' },
  billing: { demographics: 'rs', clinical: 'rs', scheduling: 'rs', billing: 'cruds', directory: 'rs', audit: 'c', subscriptions: 'cruds' },
  'practice-admin': { demographics: 'rs', scheduling: 'rs', billing: 'rs', directory: 'cruds', audit: 'crs', subscriptions: 'cruds' },
  // A patient reads the audit trail of their own record only (domain/audit/own-disclosures.ts).
  // Patients and proxies make their own Subscriptions (the portal's live messages), held by
  // subscription-rule.ts to a bare type: what a binding tells is their own record anyway.
  patient: { demographics: 'rs', clinical: 'rs', scheduling: 'rs', billing: 'rs', directory: 'rs', audit: 'rs', subscriptions: 'crs' },
  proxy: { demographics: 'rs', clinical: 'rs', scheduling: 'rs', billing: 'rs', directory: 'rs', subscriptions: 'crs' },
};

/**
 * What a proxy with limited access (a parent of an adolescent) sees of that patient's record:
 * who they are, their appointments and bills, and the clinical facts a parent needs to act on
 * (immunizations, allergies) — not problems, results, medications, notes or messages, which an
 * adolescent may have a right to keep confidential. Everything else in the chart is absent to
 * them, as if it did not exist.
 */
export const PROXY_LIMITED_ACCESS: { categories: readonly Category[]; clinicalTypes: readonly string[] } = {
  categories: ['demographics', 'scheduling', 'billing', 'directory', 'subscriptions'],
  clinicalTypes: ['Immunization', 'AllergyIntolerance'],
};

/** Whether a proxy with limited access may see resources of `resourceType`. */
export function limitedProxyAllows(resourceType: string): boolean {
  return PROXY_LIMITED_ACCESS.categories.includes(categoryOf(resourceType)) || PROXY_LIMITED_ACCESS.clinicalTypes.includes(resourceType);
}

let categories: Map<string, Category> | undefined;

/** The category of a resource type. */
export function categoryOf(resourceType: string): Category {
  if (!categories) {
    const map = new Map<string, Category>();
    const inCompartment = new Set(compartmentMemberTypes('Patient'));
    for (const type of resourceTypeNames()) {
      if (type === 'AuditEvent') map.set(type, 'audit');
      else if (DEMOGRAPHICS.includes(type)) map.set(type, 'demographics');
      else if (SCHEDULING.includes(type)) map.set(type, 'scheduling');
      else if (BILLING.includes(type)) map.set(type, 'billing');
      else if (SUBSCRIPTIONS.includes(type)) map.set(type, 'subscriptions');
      else map.set(type, inCompartment.has(type) || CLINICAL_CONTENT.includes(type) ? 'clinical' : 'directory');
    }
    categories = map;
  }
  return categories.get(resourceType) ?? 'directory';
}

/**
 * What patients and proxies write in their own record beyond reading it (the portal): messages to
 * their care team (Communication), answers to the practice's forms (QuestionnaireResponse, kept
 * editable while in progress), requests to correct their record (Task), marking a form the
 * practice sent them as filled in (a Task update) and appointment requests, moves and
 * cancellations (Appointment, `portal/patient-appointments.ts`). The write rules of
 * `domain/portal/patient-writes.ts` decide what such a write may say: from whom, for which
 * record, in which state. Their compartment and a limited proxy's visible types still bound them.
 * Binary: a file attached to a message, within the practice's attachment limits.
 */
export const PATIENT_AUTHORED: Readonly<Record<string, string>> = { Communication: 'c', QuestionnaireResponse: 'cu', Task: 'cu', Binary: 'c', Appointment: 'cu' };

/** Whether `role` has permission `letter` on `resourceType`. */
export function roleAllows(role: Role, resourceType: string, letter: string): boolean {
  if ((role === 'patient' || role === 'proxy') && (PATIENT_AUTHORED[resourceType] ?? '').includes(letter)) return true;
  return (ROLE_PERMISSIONS[role][categoryOf(resourceType)] ?? '').includes(letter);
}
