/**
 * What the schedule needs before anything is booked (docs/scheduling.md): the practice's visit
 * types with their lengths (an `ActivityDefinition` each, editable by the practice admin), a
 * `Schedule` for each clinician who takes appointments, and the exam rooms (`Location`s) the
 * nurses room patients in. Fixed ids, written with `PUT` once: a second start changes nothing,
 * and what a practice admin changed later is kept.
 */
import type { ActivityDefinition, Location, Practitioner, Resource, Schedule } from '@medplum/fhirtypes';
import type { Ctx } from '../../domain/context.ts';
import { FhirError } from '../../fhir/outcome.ts';
import { demoRequest, displayName } from './demo-accounts.ts';

/** The catalogue's marker (`ActivityDefinition.topic`) and the code system of its visit types. */
export const VISIT_TYPE_TOPIC = { system: 'urn:heron:catalogue', code: 'visit-type' } as const;
export const VISIT_TYPE_SYSTEM = 'urn:heron:visit-type';
/** The exam rooms' `Location.type`. */
export const ROOM_TYPE = { system: 'urn:heron:location-type', code: 'exam-room' } as const;
const V2_0276 = 'http://terminology.hl7.org/CodeSystem/v2-0276';

export interface DemoVisitType {
  code: string;
  title: string;
  minutes: number;
  /** The HL7 v2 appointment reason (table 0276) other systems understand. */
  v2: 'ROUTINE' | 'FOLLOWUP' | 'WALKIN' | 'CHECKUP';
  description: string;
}

export const DEMO_VISIT_TYPES: readonly DemoVisitType[] = [
  { code: 'new-patient', title: 'New patient', minutes: 40, v2: 'ROUTINE', description: 'First visit with the practice: history, examination and plan.' },
  { code: 'follow-up', title: 'Follow-up', minutes: 20, v2: 'FOLLOWUP', description: 'Review of a known problem or a result.' },
  { code: 'annual-wellness', title: 'Annual wellness', minutes: 40, v2: 'CHECKUP', description: 'Yearly check-up and preventive care.' },
  { code: 'procedure', title: 'Procedure', minutes: 30, v2: 'ROUTINE', description: 'A minor office procedure.' },
  { code: 'sick-visit', title: 'Same-day sick visit', minutes: 20, v2: 'WALKIN', description: 'A new acute problem, seen the same day.' },
];

/** A second clinician without an account, so the practice's schedule has more than one column. */
export const DEMO_SECOND_CLINICIAN = { id: 'demo-nurse-practitioner', given: 'Priya', family: 'Natarajan', suffix: 'NP' } as const;

const ROOMS = ['Exam room 1', 'Exam room 2', 'Exam room 3', 'Procedure room'];

export function visitTypeResource(v: DemoVisitType): ActivityDefinition {
  return {
    resourceType: 'ActivityDefinition',
    id: `visit-type-${v.code}`,
    status: 'active',
    name: v.title.replace(/[^A-Za-z]/g, ''),
    title: v.title,
    description: v.description,
    kind: 'Appointment',
    topic: [{ coding: [{ ...VISIT_TYPE_TOPIC, display: 'Visit type' }] }],
    code: { coding: [{ system: VISIT_TYPE_SYSTEM, code: v.code, display: v.title }, { system: V2_0276, code: v.v2 }], text: v.title },
    timingDuration: { value: v.minutes, unit: 'min', system: 'http://unitsofmeasure.org', code: 'min' },
  };
}

/** The visit-type coding an appointment carries, as the web app books it. */
export function appointmentTypeOf(v: DemoVisitType) {
  return { coding: [{ system: VISIT_TYPE_SYSTEM, code: v.code, display: v.title }, { system: V2_0276, code: v.v2 }], text: v.title };
}

/** Visit types, the second clinician, a Schedule per clinician and the rooms, each written once. */
export async function ensureSchedulingSetup(ctx: Ctx, clinicians: ReadonlyArray<{ id: string; name: string }>): Promise<void> {
  for (const v of DEMO_VISIT_TYPES) await putOnce(ctx, visitTypeResource(v));
  const second: Practitioner = {
    resourceType: 'Practitioner',
    id: DEMO_SECOND_CLINICIAN.id,
    active: true,
    name: [{ use: 'official', given: [DEMO_SECOND_CLINICIAN.given], family: DEMO_SECOND_CLINICIAN.family, suffix: [DEMO_SECOND_CLINICIAN.suffix] }],
  };
  await putOnce(ctx, second);
  for (const c of [...clinicians, { id: second.id!, name: displayName(second) }]) {
    const schedule: Schedule = {
      resourceType: 'Schedule',
      id: `schedule-${c.id}`,
      active: true,
      actor: [{ reference: `Practitioner/${c.id}`, display: c.name }],
      comment: `${c.name}: office visits`,
    };
    await putOnce(ctx, schedule);
  }
  for (const [i, name] of ROOMS.entries()) {
    const room: Location = {
      resourceType: 'Location',
      id: `demo-room-${i + 1}`,
      status: 'active',
      name,
      mode: 'instance',
      type: [{ coding: [{ ...ROOM_TYPE, display: 'Exam room' }], text: 'Exam room' }],
      physicalType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/location-physical-type', code: 'ro', display: 'Room' }] },
    };
    await putOnce(ctx, room);
  }
}

async function putOnce(ctx: Ctx, resource: Resource & { id?: string }): Promise<void> {
  const path = `${resource.resourceType}/${resource.id}`;
  try {
    await demoRequest(ctx, 'GET', path);
    return;
  } catch (error) {
    // Deleted (410) by the practice: it stays deleted.
    if (error instanceof FhirError && error.category === 'gone') return;
    if (!(error instanceof FhirError && error.category === 'not-found')) throw error;
  }
  const written = await demoRequest(ctx, 'PUT', path, resource);
  if (written.status >= 300) throw new Error(`Could not write the demo ${path}: HTTP ${written.status}`);
}
