/**
 * An inbox to try on a demo server (docs/subscriptions.md): a "Nurses" pool (a CareTeam of
 * Practitioners) with the demo nurse in it, and waiting for the demo physician some lab results to
 * review (most normal, some not), a patient's message and a task; a refill request waits for the
 * nurses. Once per database (the `demo-inbox` setting), so what a user works off stays done.
 */
import type { CareTeam, Communication, Observation, Patient, Task } from '@medplum/fhirtypes';
import type { Ctx } from '../../domain/context.ts';
import { INBOX_TASK_SYSTEM, REVIEW_RESULT } from '../../domain/inbox/result-review.ts';
import type { FhirStore } from '../../store/store.ts';
import { demoRequest, livingPatients } from './demo-accounts.ts';

export const DEMO_INBOX_SETTING = 'demo-inbox';
export const DEMO_NURSES_POOL = 'demo-nurses';

const LABS = [
  { code: '2823-3', name: 'Potassium [Moles/volume] in Serum or Plasma', value: 4.2, unit: 'mmol/L', flag: 'N' },
  { code: '2951-2', name: 'Sodium [Moles/volume] in Serum or Plasma', value: 139, unit: 'mmol/L', flag: 'N' },
  { code: '2160-0', name: 'Creatinine [Mass/volume] in Serum or Plasma', value: 0.9, unit: 'mg/dL', flag: 'N' },
  { code: '718-7', name: 'Hemoglobin [Mass/volume] in Blood', value: 13.8, unit: 'g/dL', flag: 'N' },
  { code: '2345-7', name: 'Glucose [Mass/volume] in Serum or Plasma', value: 182, unit: 'mg/dL', flag: 'H' },
  { code: '13457-7', name: 'Cholesterol in LDL [Mass/volume] in Serum or Plasma', value: 171, unit: 'mg/dL', flag: 'H' },
] as const;

async function put(ctx: Ctx, path: string, resource: object): Promise<void> {
  const response = await demoRequest(ctx, 'PUT', path, resource);
  if (response.status !== 200 && response.status !== 201) throw new Error(`Could not write the demo inbox's ${path}: HTTP ${response.status}`);
}

/** @returns whether it wrote the inbox now. */
export async function ensureDemoInbox(ctx: Ctx, store: FhirStore, physicianId: string, nurseId: string, now = new Date()): Promise<boolean> {
  if ((await store.admin.getSetting(DEMO_INBOX_SETTING)) !== undefined) return false;
  const physician = `Practitioner/${physicianId}`;
  const nurses: CareTeam = { resourceType: 'CareTeam', id: DEMO_NURSES_POOL, status: 'active', name: 'Nurses', participant: [{ member: { reference: `Practitioner/${nurseId}` } }] };
  await put(ctx, `CareTeam/${DEMO_NURSES_POOL}`, nurses);
  const patients = await livingPatients(ctx, LABS.length);
  if (patients.length === 0) return false;
  const hoursAgo = (h: number) => new Date(now.getTime() - h * 3_600_000).toISOString();
  for (const [i, lab] of LABS.entries()) {
    const patient = `Patient/${patients[i % patients.length]!.id}`;
    const observation: Observation = {
      resourceType: 'Observation',
      id: `demo-inbox-lab-${i + 1}`,
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'Laboratory' }] }],
      code: { coding: [{ system: 'http://loinc.org', code: lab.code, display: lab.name }], text: lab.name },
      subject: { reference: patient },
      effectiveDateTime: hoursAgo(20 + i),
      issued: hoursAgo(2 + i),
      valueQuantity: { value: lab.value, unit: lab.unit, system: 'http://unitsofmeasure.org', code: lab.unit },
      interpretation: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ObservationInterpretation', code: lab.flag, display: lab.flag === 'N' ? 'Normal' : 'High' }], text: lab.flag === 'N' ? 'Normal' : 'High' }],
    };
    await put(ctx, `Observation/${observation.id}`, observation);
    const review: Task = {
      resourceType: 'Task',
      id: `demo-inbox-review-${i + 1}`,
      status: 'requested',
      intent: 'order',
      priority: lab.flag === 'N' ? 'routine' : 'urgent',
      code: { coding: [{ system: INBOX_TASK_SYSTEM, code: REVIEW_RESULT, display: 'Review result' }], text: 'Review result' },
      description: `Review ${lab.name}`,
      focus: { reference: `Observation/${observation.id}` },
      for: { reference: patient },
      owner: { reference: physician },
      authoredOn: hoursAgo(2 + i),
    };
    await put(ctx, `Task/${review.id}`, review);
  }
  const first = `Patient/${patients[0]!.id}`;
  const second = `Patient/${patients[1 % patients.length]!.id}`;
  const message: Communication = {
    resourceType: 'Communication',
    id: 'demo-inbox-message-1',
    status: 'in-progress',
    subject: { reference: second },
    sender: { reference: second },
    recipient: [{ reference: physician }],
    sent: hoursAgo(1),
    topic: { text: 'Question about my new tablets' },
    payload: [{ contentString: 'Can I take ibuprofen for my knee while I am on the new blood pressure tablets?' }],
  };
  await put(ctx, `Communication/${message.id}`, message);
  const refill: Task = {
    resourceType: 'Task',
    id: 'demo-inbox-refill-1',
    status: 'requested',
    intent: 'order',
    code: { coding: [{ system: INBOX_TASK_SYSTEM, code: 'refill-request', display: 'Refill request' }], text: 'Refill request' },
    description: 'Refill request: lisinopril 10 mg tablets, 90 days',
    for: { reference: first },
    owner: { reference: `CareTeam/${DEMO_NURSES_POOL}` },
    authoredOn: hoursAgo(3),
  };
  await put(ctx, `Task/${refill.id}`, refill);
  const task: Task = {
    resourceType: 'Task',
    id: 'demo-inbox-task-1',
    status: 'requested',
    intent: 'order',
    description: 'Call about colonoscopy preparation',
    for: { reference: second },
    owner: { reference: physician },
    authoredOn: hoursAgo(26),
    restriction: { period: { end: new Date(now.getTime() + 2 * 86_400_000).toISOString().slice(0, 10) } },
  };
  await put(ctx, `Task/${task.id}`, task);
  await store.admin.putSettingIfAbsent(DEMO_INBOX_SETTING, JSON.stringify({ at: now.toISOString() }));
  return true;
}

/**
 * The portal patient's doctor is the demo physician (`generalPractitioner`, unless their record
 * names one already): the portal addresses a patient's new message to the doctor their record
 * names, so the demo patient's messages reach the demo physician's inbox. The sample patients name
 * no doctor of their own.
 */
export async function ensurePortalPatientsDoctor(ctx: Ctx, patientRef: string, physicianId: string): Promise<void> {
  const found = await demoRequest(ctx, 'GET', patientRef);
  const patient = found.status === 200 ? (found.body as Patient) : undefined;
  if (patient === undefined || (patient.generalPractitioner ?? []).length > 0) return;
  await put(ctx, patientRef, { ...patient, generalPractitioner: [{ reference: `Practitioner/${physicianId}` }] });
}
