/**
 * What an app may do, in plain words, from its SMART scopes (`patient/Observation.rs`,
 * `user/*.cruds`, `openid fhirUser`, `offline_access`). Scopes the person would not recognise as
 * a permission (launch context) say nothing.
 * @see https://build.fhir.org/ig/HL7/smart-app-launch/scopes-and-launch-context.html
 */
const WHAT: Record<string, string> = {
  '*': 'your whole record',
  Patient: 'your personal details',
  Observation: 'your results and measurements',
  Condition: 'your health problems',
  AllergyIntolerance: 'your allergies',
  MedicationRequest: 'your medicines',
  MedicationStatement: 'your medicines',
  Immunization: 'your vaccinations',
  DiagnosticReport: 'your test reports',
  DocumentReference: 'your documents',
  Encounter: 'your visits',
  Appointment: 'your appointments',
  Communication: 'your messages',
  AuditEvent: 'who has seen your record',
  Procedure: 'your procedures',
};

const FIXED: Record<string, string> = {
  openid: 'Know who you are',
  fhirUser: 'Know who you are',
  offline_access: 'Keep access when you are not using it',
  'heron/admin': 'Manage the practice',
};

function accessWords(permissions: string): string {
  // SMART v2 letters (cruds) or v1 words (read, write, *).
  const p = permissions === '*' ? 'cruds' : permissions === 'read' ? 'rs' : permissions === 'write' ? 'cud' : permissions;
  const reads = p.includes('r') || p.includes('s');
  const changes = p.includes('c') || p.includes('u') || p.includes('d');
  return reads && changes ? 'See and change' : changes ? 'Add to or change' : 'See';
}

export function scopeWords(scope: string): string[] {
  const words: string[] = [];
  for (const s of scope.split(/\s+/).filter(Boolean)) {
    const resource = /^(patient|user|system)\/([A-Za-z*]+)\.([a-z*]+)/.exec(s);
    const text = resource ? `${accessWords(resource[3])} ${WHAT[resource[2]] ?? `your ${resource[2]} records`}` : FIXED[s];
    if (text !== undefined && !words.includes(text)) words.push(text);
  }
  return words;
}
