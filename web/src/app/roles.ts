/** Heron's user roles (docs/auth.md) as people say them. */
const ROLES: Record<string, string> = {
  physician: 'Physician',
  resident: 'Resident',
  student: 'Medical student',
  nurse: 'Nurse',
  'medical-assistant': 'Medical assistant',
  'front-desk': 'Front desk',
  billing: 'Billing',
  'practice-admin': 'Practice administrator',
  patient: 'Patient',
  proxy: 'Proxy',
};

export function roleLabel(role: string): string {
  return ROLES[role] ?? role;
}

/** Roles whose home is the clinical worklist ("Today's patients") rather than the front-desk schedule. */
export function isClinician(role: string): boolean {
  return role === 'physician' || role === 'resident' || role === 'student' || role === 'nurse' || role === 'medical-assistant';
}

/** Roles that may create a Patient (docs/access.md: demographics `c`): the front desk and clinicians. */
export function canRegister(role: string): boolean {
  return role === 'front-desk' || (isClinician(role) && role !== 'student');
}

/** Patients and proxies: they see the portal, never the clinician screens. */
export function isPatientFacing(role: string): boolean {
  return role === 'patient' || role === 'proxy';
}
