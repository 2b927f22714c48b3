/** Words for coded values, quantities and dates as the chart shows them. */
import type { CodeableConcept, Coding, Quantity } from '@medplum/fhirtypes';

/** What a person reads for a concept: its text, else the first display, else the code. */
export function conceptText(concept: CodeableConcept | undefined): string {
  if (!concept) return '';
  return concept.text ?? concept.coding?.find((c) => c.display)?.display ?? concept.coding?.[0]?.code ?? '';
}

/** The coding from `system` in a concept, if any. */
export function codingIn(concept: CodeableConcept | undefined, system: string): Coding | undefined {
  return concept?.coding?.find((c) => c.system === system);
}

/** UCUM codes people do not read as written. */
const UNIT_TEXT: Record<string, string> = { 'mm[Hg]': 'mmHg', Cel: '°C', '[degF]': '°F', '[lb_av]': 'lb', '[in_i]': 'in', 'kg/m2': 'kg/m²', '{score}': '', 'mL/min/{1.73_m2}': 'mL/min/1.73 m²' };

export function unitText(q: Pick<Quantity, 'unit' | 'code'> | undefined): string {
  if (!q) return '';
  if (q.code !== undefined && q.code in UNIT_TEXT) return UNIT_TEXT[q.code]!;
  return q.unit ?? q.code ?? '';
}

/** "7.2 %", "120 mmHg", "< 5 mg/L"; decimals as recorded (FHIR keeps significant digits). */
export function quantityText(q: Quantity | undefined): string {
  if (!q || q.value === undefined) return '';
  const unit = unitText(q);
  return `${q.comparator ? `${q.comparator} ` : ''}${q.value}${unit ? ` ${unit}` : ''}`;
}

/** "14 Mar 2026" in the user's locale; the time too when asked and the value has one. */
export function dateText(value: string | undefined, withTime = false): string {
  if (!value) return '';
  if (/^\d{4}$/.test(value)) return value;
  if (/^\d{4}-\d{2}$/.test(value)) return new Date(`${value}-01T00:00:00`).toLocaleDateString(undefined, { month: 'short', year: 'numeric' });
  const dateOnly = /^\d{4}-\d{2}-\d{2}$/.test(value);
  const d = new Date(dateOnly ? `${value}T00:00:00` : value);
  if (Number.isNaN(d.getTime())) return value;
  const date = d.toLocaleDateString(undefined, { day: 'numeric', month: 'short', year: 'numeric' });
  return withTime && !dateOnly ? `${date}, ${d.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })}` : date;
}

/**
 * A test's name short enough for a summary row: LOINC long names spell out the property, system
 * and method ("Urea nitrogen [Mass/volume] in Serum or Plasma"); the component is what a
 * clinician reads ("Urea nitrogen"). Other names are kept as they are.
 */
export function testName(concept: CodeableConcept | undefined): string {
  const full = conceptText(concept);
  const component = full.split(' [')[0]!.replace(/ in (Serum, Plasma or Blood|Serum or Plasma|Serum|Plasma|Blood|Urine)( by .*)?$/, '');
  return component.trim() || full;
}
