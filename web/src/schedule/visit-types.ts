/**
 * The practice's visit types and how long each lasts: one `ActivityDefinition` (kind
 * `Appointment`) per type, marked as part of the catalogue by its `topic`, with the length in
 * `timingDuration` (docs/scheduling.md). A practice admin edits them like any directory resource.
 */
import type { ActivityDefinition, Appointment, CodeableConcept } from '@medplum/fhirtypes';

export const VISIT_TYPE_TOPIC = 'urn:heron:catalogue|visit-type';
export const VISIT_TYPE_SYSTEM = 'urn:heron:visit-type';
/** The search that lists the catalogue. */
export const VISIT_TYPE_SEARCH = { topic: VISIT_TYPE_TOPIC, status: 'active', _count: 100 } as const;
/** When a visit type says nothing about its length. */
export const DEFAULT_MINUTES = 20;

export interface VisitType {
  id: string;
  code: string;
  title: string;
  minutes: number;
  /** What an appointment of this type carries in `appointmentType`. */
  concept: CodeableConcept;
}

const MINUTES_PER: Record<string, number> = { min: 1, h: 60, hour: 60, hours: 60, minutes: 1, minute: 1 };

/** Minutes of a Duration in minutes or hours; undefined for anything else. */
export function durationMinutes(duration: ActivityDefinition['timingDuration']): number | undefined {
  if (duration?.value === undefined) return undefined;
  const factor = MINUTES_PER[duration.code ?? duration.unit ?? 'min'];
  return factor === undefined ? undefined : Math.round(duration.value * factor);
}

/** The catalogue, shortest first and then by name (how people scan it). */
export function visitTypes(definitions: readonly ActivityDefinition[]): VisitType[] {
  const types: VisitType[] = [];
  for (const d of definitions) {
    const coding = d.code?.coding?.find((c) => c.system === VISIT_TYPE_SYSTEM) ?? d.code?.coding?.[0];
    const code = coding?.code ?? d.id;
    const title = d.title ?? coding?.display ?? d.name ?? code;
    if (!code || !title || !d.id) continue;
    types.push({ id: d.id, code, title, minutes: durationMinutes(d.timingDuration) ?? DEFAULT_MINUTES, concept: { ...(d.code ?? {}), text: title } });
  }
  return types.sort((a, b) => a.minutes - b.minutes || a.title.localeCompare(b.title));
}

/** The catalogue entry an appointment was booked as, by its code. */
export function visitTypeOf(appointment: Pick<Appointment, 'appointmentType'>, types: readonly VisitType[]): VisitType | undefined {
  const codes = new Set((appointment.appointmentType?.coding ?? []).filter((c) => c.system === VISIT_TYPE_SYSTEM).map((c) => c.code));
  return types.find((t) => codes.has(t.code));
}

/** How an appointment's type reads: the catalogue's title, else the stored text or display. */
export function visitTypeText(appointment: Pick<Appointment, 'appointmentType'>): string {
  const t = appointment.appointmentType;
  return t?.text ?? t?.coding?.find((c) => c.display)?.display ?? '';
}

/** A code from a title: "Same-day sick visit" → `same-day-sick-visit`. */
export function visitTypeCode(title: string): string {
  return title
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '-')
    .replace(/^-|-$/g, '');
}

/**
 * A visit type as stored: a new one, or `base` with its title and length changed (its code stays,
 * so appointments already booked as it still match it).
 */
export function visitTypeDefinition(title: string, minutes: number, base?: ActivityDefinition): ActivityDefinition {
  const name = title.trim();
  const duration = { value: minutes, unit: 'min', system: 'http://unitsofmeasure.org', code: 'min' };
  if (base) {
    const coding = (base.code?.coding ?? []).map((c) => (c.system === VISIT_TYPE_SYSTEM ? { ...c, display: name } : c));
    return { ...base, title: name, code: { ...base.code, coding, text: name }, timingDuration: duration };
  }
  const [system, code] = VISIT_TYPE_TOPIC.split('|') as [string, string];
  return {
    resourceType: 'ActivityDefinition',
    status: 'active',
    name: name.replace(/[^A-Za-z0-9]/g, '') || 'VisitType',
    title: name,
    kind: 'Appointment',
    topic: [{ coding: [{ system, code, display: 'Visit type' }] }],
    code: { coding: [{ system: VISIT_TYPE_SYSTEM, code: visitTypeCode(name), display: name }], text: name },
    timingDuration: duration,
  };
}
