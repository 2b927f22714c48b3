/**
 * Chart data inserted into a note (Epic's SmartLinks): the latest vitals, active problems,
 * current medications and allergies, each as a block that says it was inserted and as of when,
 * so a reader of the signed note knows the values came from the chart at that moment, not from
 * the exam. The blocks are plain text in the note (any system shows them) and the resources they
 * came from are listed in the note's `context.related`.
 */
import type { AllergyIntolerance, Condition, MedicationRequest, Observation, Reference } from '@medplum/fhirtypes';
import { allergyStatus, latestVitals, medicationName, problemList } from '../chart/summary.ts';
import { FLAG_TEXT } from '../clinical/flags.ts';
import { VITAL_SIGNS, type VitalKey } from '../clinical/vital-signs.ts';
import { conceptText } from '../fhir-format/values.ts';

export type InsertKind = 'vitals' | 'problems' | 'medications' | 'allergies';

export const INSERT_KINDS: readonly { kind: InsertKind; label: string; key: string; section: string }[] = [
  { kind: 'vitals', label: 'Vitals', key: 'V', section: 'Objective' },
  { kind: 'problems', label: 'Problems', key: 'P', section: 'Assessment' },
  { kind: 'medications', label: 'Medications', key: 'M', section: 'Subjective' },
  { kind: 'allergies', label: 'Allergies', key: 'A', section: 'Subjective' },
];

export interface Inserted {
  kind: InsertKind;
  /** The block of text to put in the note. */
  text: string;
  /** The resources it came from (for `context.related`). */
  sources: Reference[];
}

/** "5 Dec 2026 09:40" (24 h, the user's time zone): the as-of time written into the note. */
export function asOfText(iso: string, locale?: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const date = d.toLocaleDateString(locale, { day: 'numeric', month: 'short', year: 'numeric' });
  const time = d.toLocaleTimeString(locale, { hour: '2-digit', minute: '2-digit', hour12: false });
  return `${date} ${time}`;
}

const header = (label: string, asOf: string) => `[Inserted from chart: ${label}, as of ${asOf}]`;

const VITAL_ORDER: readonly VitalKey[] = ['heartRate', 'respiratoryRate', 'temperature', 'spo2', 'weight', 'height', 'bmi', 'pain'];

/** The latest vital signs (from `Observation/$lastn`), blood pressure first. */
export function vitalsBlock(observations: readonly Observation[], now: string): Inserted {
  const latest = latestVitals(observations);
  if (latest.size === 0) return { kind: 'vitals', text: `${header('Vitals', asOfText(now))}\nNo vital signs recorded.`, sources: [] };
  const when = [...latest.values()].map((v) => v.when).sort().at(-1) ?? now;
  const parts: string[] = [];
  const systolic = latest.get('systolic');
  const diastolic = latest.get('diastolic');
  if (systolic && diastolic) parts.push(`BP ${systolic.value}/${diastolic.value} mmHg`);
  for (const key of VITAL_ORDER) {
    const v = latest.get(key);
    if (!v) continue;
    const sign = VITAL_SIGNS[key];
    const unit = sign.units.find((u) => u.code === v.unit)?.label ?? v.unit;
    parts.push(`${sign.label} ${Number(v.value.toFixed(sign.decimals))}${unit.startsWith('/') ? '' : ' '}${unit}${v.flag && v.flag !== 'normal' ? ` (${FLAG_TEXT[v.flag].label.toLowerCase()})` : ''}`);
  }
  const sources = uniqueRefs([...latest.values()].map((v) => `Observation/${v.observation.id}`));
  return { kind: 'vitals', text: `${header('Vitals', asOfText(when))}\n${parts.join(' · ')}`, sources };
}

export function problemsBlock(conditions: readonly Condition[], now: string): Inserted {
  const { active } = problemList(conditions);
  const lines = active.map((c) => `- ${conceptText(c.code)}${c.onsetDateTime ? ` (since ${c.onsetDateTime.slice(0, 4)})` : ''}`);
  return { kind: 'problems', text: `${header('Active problems', asOfText(now))}\n${lines.length ? lines.join('\n') : 'No active problems recorded.'}`, sources: uniqueRefs(active.map((c) => `Condition/${c.id}`)) };
}

export function medicationsBlock(requests: readonly MedicationRequest[], now: string): Inserted {
  const current = requests.filter((m) => m.status === 'active' || m.status === 'on-hold');
  const lines = current.map((m) => `- ${medicationName(m)}${m.dosageInstruction?.[0]?.text ? `: ${m.dosageInstruction[0].text}` : ''}${m.status === 'on-hold' ? ' (on hold)' : ''}`);
  return { kind: 'medications', text: `${header('Medications', asOfText(now))}\n${lines.length ? lines.join('\n') : 'No current medications recorded.'}`, sources: uniqueRefs(current.map((m) => `MedicationRequest/${m.id}`)) };
}

export function allergiesBlock(allergies: readonly AllergyIntolerance[], now: string): Inserted {
  const status = allergyStatus(allergies);
  const lines = status.active.map((a) => `- ${conceptText(a.code)}${a.criticality === 'high' ? ' (high criticality)' : ''}${a.reaction?.[0]?.manifestation?.[0] ? `: ${conceptText(a.reaction[0].manifestation[0])}` : ''}`);
  const none = status.noneKnown ? 'No known allergies.' : 'Allergies not recorded.';
  return { kind: 'allergies', text: `${header('Allergies', asOfText(now))}\n${lines.length ? lines.join('\n') : none}`, sources: uniqueRefs(status.active.map((a) => `AllergyIntolerance/${a.id}`)) };
}

/** Puts `block` into `text` at `at` (the caret), on lines of its own. */
export function insertAt(text: string, at: number, block: string): { text: string; caret: number } {
  const before = text.slice(0, at);
  const after = text.slice(at);
  const lead = before === '' || before.endsWith('\n') ? '' : '\n';
  const trail = after === '' || after.startsWith('\n') ? '' : '\n';
  const inserted = `${lead}${block}${trail}`;
  return { text: before + inserted + after, caret: before.length + inserted.length };
}

/** Whether a line of a note is part of an inserted block's header (to mark it on screen). */
export function isInsertedHeader(line: string): boolean {
  return /^\[Inserted from chart: .+, as of .+\]$/.test(line);
}

function uniqueRefs(refs: readonly string[]): Reference[] {
  return [...new Set(refs)].map((reference) => ({ reference }));
}
