/**
 * Which role changes an account may have. Staff roles change among themselves; a patient's or
 * proxy's account is bound to its patients (and a staff account to a Practitioner), so it cannot
 * become the other kind — invite the person again with the account they need. Nobody changes
 * their own role: with "nobody disables themselves" this keeps every change made through the
 * admin API from leaving the practice without an administrator.
 */
import { ROLES, type Role } from '../access/principal.ts';
import { errors } from '../../fhir/outcome.ts';
import type { UserRecord } from '../../store/user-accounts.ts';

const PATIENT_FACING: readonly string[] = ['patient', 'proxy'];

/**
 * @returns the new role.
 * @throws FhirError `invalid` (field `role`) for an unknown role or a staff/patient crossing;
 *   `conflict` for a patient's or proxy's account, one's own, or an account that is not active or invited.
 */
export function checkRoleChange(user: UserRecord, role: string, changedBy: string): Role {
  if (!(ROLES as readonly string[]).includes(role)) throw errors.invalid(`Unknown role "${role}"; one of ${ROLES.join(', ')}`, 'role');
  if (user.id === changedBy) throw errors.conflict('You cannot change your own role; ask another practice administrator');
  if (PATIENT_FACING.includes(user.role)) throw errors.conflict(`A ${user.role}'s account is bound to its patients and keeps its role; invite the person again for another kind of account`);
  if (PATIENT_FACING.includes(role)) throw errors.invalid(`A staff account cannot become a ${role}'s; invite the person as a ${role} (the account names their patients)`, 'role');
  if (user.status === 'disabled') throw errors.conflict('This account is disabled; enable it first');
  return role as Role;
}
