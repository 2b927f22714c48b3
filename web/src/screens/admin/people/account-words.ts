/** How accounts read on the People screens. */
import type { BadgeTone } from '../../../design/index.ts';
import type { AccountStatus, AdminUser } from '../../../admin-api/admin-views.ts';
import { dateText } from '../../../fhir-format/values.ts';

export const STATUS_WORDS: Record<AccountStatus, { label: string; tone: BadgeTone }> = {
  active: { label: 'Active', tone: 'success' },
  invited: { label: 'Invited', tone: 'info' },
  disabled: { label: 'Disabled', tone: 'neutral' },
};

/** Staff roles an account may be invited as or moved between (patients and proxies keep theirs). */
export const STAFF_ROLES = ['physician', 'resident', 'student', 'nurse', 'medical-assistant', 'front-desk', 'billing', 'practice-admin'] as const;
export const PATIENT_ROLES = ['patient', 'proxy'] as const;

export function isPatientFacing(role: string): boolean {
  return (PATIENT_ROLES as readonly string[]).includes(role);
}

export function lastSignInText(user: AdminUser): string {
  if (user.last_sign_in_at) return dateText(user.last_sign_in_at, true);
  return user.status === 'invited' ? 'Not yet (invited)' : 'Never';
}

export function mfaText(user: AdminUser): string {
  return user.mfa_configured ? 'Set up' : 'Not set up';
}
