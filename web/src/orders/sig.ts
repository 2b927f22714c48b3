/**
 * A prescription's directions in plain words, from the structured FHIR `Dosage` (what is stored
 * and what a pharmacy system reads), never from free text when structure is there:
 * "Take 2 tablets by mouth every 6 hours as needed for pain, for 5 days. Do not take more than 10
 * tablets in 24 hours. Dispense 40 tablets. Refills: 0."
 *
 * A taper is several dosages in `sequence` order, each with its duration, read as one sentence
 * joined by "then"; dosages sharing a sequence number are taken together ("and"). Ratwani et al.
 * found tapers the most error-prone orders when written as free text (ux-checks UX-05).
 */
import type { Dosage, MedicationRequest, Quantity } from '@medplum/fhirtypes';

const SNOMED = 'http://snomed.info/sct';
const GTS = 'http://terminology.hl7.org/CodeSystem/v3-GTSAbbreviation';

/** Dose units by UCUM code: singular and plural words. */
const UNIT_WORDS: Record<string, [string, string]> = {
  '{tbl}': ['tablet', 'tablets'],
  '{tablet}': ['tablet', 'tablets'],
  '{capsule}': ['capsule', 'capsules'],
  '{puff}': ['puff', 'puffs'],
  '[iU]': ['unit', 'units'],
  '{drop}': ['drop', 'drops'],
  '{patch}': ['patch', 'patches'],
  mg: ['mg', 'mg'],
  g: ['g', 'g'],
  mcg: ['mcg', 'mcg'],
  ug: ['mcg', 'mcg'],
  mL: ['mL', 'mL'],
};

/** Routes by SNOMED CT code: the words after the dose, and the verb the sentence starts with. */
const ROUTE_WORDS: Record<string, { words: string; verb: string }> = {
  '26643006': { words: 'by mouth', verb: 'Take' },
  '37161004': { words: 'under the tongue', verb: 'Place' },
  '34206005': { words: 'under the skin', verb: 'Inject' },
  '78421000': { words: 'into the muscle', verb: 'Inject' },
  '47625008': { words: 'into a vein', verb: 'Give' },
  '447694001': { words: 'by inhalation', verb: 'Inhale' },
  '18679011000001101': { words: 'by inhalation', verb: 'Inhale' },
  '6064005': { words: 'to the skin', verb: 'Apply' },
  '54485002': { words: 'in the eye', verb: 'Put' },
  '37839007': { words: 'in the rectum', verb: 'Insert' },
  '46713006': { words: 'in the nose', verb: 'Spray' },
};

const WHEN_WORDS: Record<string, string> = {
  HS: 'at bedtime',
  MORN: 'in the morning',
  AFT: 'in the afternoon',
  EVE: 'in the evening',
  NIGHT: 'at night',
  AC: 'before meals',
  PC: 'after meals',
  C: 'with meals',
  ACM: 'before breakfast',
  CM: 'with breakfast',
  PCM: 'after breakfast',
  ACD: 'before lunch',
  ACV: 'before dinner',
  CV: 'with dinner',
  WAKE: 'on waking',
};

const TIMES = ['', 'once', 'twice', 'three times', 'four times', 'five times', 'six times'];
const UNIT_NAMES: Record<string, [string, string]> = {
  s: ['second', 'seconds'],
  min: ['minute', 'minutes'],
  h: ['hour', 'hours'],
  d: ['day', 'days'],
  wk: ['week', 'weeks'],
  mo: ['month', 'months'],
  a: ['year', 'years'],
};
const PER: Record<string, string> = { h: 'an hour', d: 'daily', wk: 'weekly', mo: 'monthly', a: 'yearly' };

function number(value: number): string {
  return Number.isInteger(value) ? String(value) : String(Number(value.toFixed(3)));
}

/** "2 tablets", "0.5 tablet", "10 mg", "1 unit": a quantity in words. */
export function quantityText(q: Quantity | undefined): string | undefined {
  if (q?.value === undefined) return undefined;
  const words = (q.code && UNIT_WORDS[q.code]) || undefined;
  const unit = words ? (q.value === 1 ? words[0] : words[1]) : (q.unit ?? '');
  return `${number(q.value)}${unit ? ` ${unit}` : ''}`;
}

function durationText(value: number, unitCode: string | undefined, unit: string | undefined): string {
  const names = unitCode ? UNIT_NAMES[unitCode] : undefined;
  return `${number(value)} ${names ? (value === 1 ? names[0] : names[1]) : (unit ?? '')}`.trim();
}

function doseText(d: Dosage): string | undefined {
  const rate = d.doseAndRate?.[0];
  if (rate?.doseQuantity) return quantityText(rate.doseQuantity);
  const range = rate?.doseRange;
  if (range?.low?.value !== undefined && range.high?.value !== undefined) return `${number(range.low.value)} to ${quantityText(range.high)}`;
  return undefined;
}

function routeOf(d: Dosage): { words: string; verb: string } | undefined {
  const code = d.route?.coding?.find((c) => c.system === SNOMED)?.code;
  if (code && ROUTE_WORDS[code]) return ROUTE_WORDS[code];
  const text = d.route?.text ?? d.route?.coding?.[0]?.display;
  return text ? { words: text.toLowerCase(), verb: 'Take' } : undefined;
}

/** "every 6 hours", "twice daily", "every 4 to 6 hours", "once weekly", "at bedtime". */
export function frequencyText(d: Dosage): string | undefined {
  const r = d.timing?.repeat;
  const parts: string[] = [];
  if (r?.frequency !== undefined && r.period !== undefined && r.periodUnit) {
    const f = r.frequency;
    const p = r.period;
    const unit = r.periodUnit;
    const names = UNIT_NAMES[unit] ?? [unit, unit];
    const times = r.frequencyMax !== undefined ? `${f} to ${r.frequencyMax} times` : (TIMES[f] ?? `${f} times`);
    if (f === 1 && r.frequencyMax === undefined && (r.periodMax !== undefined || p !== 1 || unit === 'h' || unit === 'min' || unit === 's')) {
      if (r.periodMax !== undefined) parts.push(`every ${number(p)} to ${number(r.periodMax)} ${names[1]}`);
      else if (p === 2 && unit === 'd') parts.push('every other day');
      else parts.push(`every ${p === 1 ? names[0] : `${number(p)} ${names[1]}`}`);
    } else if (p === 1) {
      parts.push(`${times} ${PER[unit] ?? `a ${names[0]}`}`);
    } else {
      parts.push(`${times} every ${number(p)} ${names[1]}`);
    }
  }
  for (const when of r?.when ?? []) if (WHEN_WORDS[when]) parts.push(WHEN_WORDS[when]!);
  if (parts.length > 0) return parts.join(' ');
  const code = d.timing?.code?.coding?.find((c) => c.system === GTS)?.code;
  return d.timing?.code?.text?.toLowerCase() ?? code;
}

function asNeededText(d: Dosage): string | undefined {
  const reason = d.asNeededCodeableConcept;
  if (reason) return `as needed for ${(reason.text ?? reason.coding?.[0]?.display ?? '').toLowerCase()}`.trim();
  return d.asNeededBoolean ? 'as needed' : undefined;
}

function boundsText(d: Dosage): string | undefined {
  const r = d.timing?.repeat;
  const b = r?.boundsDuration;
  if (b?.value !== undefined) return `for ${durationText(b.value, b.code, b.unit)}`;
  if (r?.count !== undefined) return `for ${r.count} ${r.count === 1 ? 'dose' : 'doses'}`;
  if (r?.boundsPeriod?.end) return `until ${r.boundsPeriod.end.slice(0, 10)}`;
  return undefined;
}

/** Whether a dosage has structure to read (else only its text can be shown). */
function isStructured(d: Dosage): boolean {
  return doseText(d) !== undefined || frequencyText(d) !== undefined;
}

/** One dosage without its verb: "2 tablets by mouth every 6 hours as needed for pain, for 5 days". */
export function dosagePhrase(d: Dosage, options: { route?: boolean } = {}): string {
  if (!isStructured(d)) return d.text ?? '';
  const extra = (d.additionalInstruction ?? []).map((a) => (a.text ?? a.coding?.[0]?.display ?? '').toLowerCase()).filter(Boolean);
  const main = [doseText(d), options.route === false ? undefined : routeOf(d)?.words, frequencyText(d), asNeededText(d), ...extra].filter(Boolean).join(' ');
  const bounds = boundsText(d);
  return bounds ? `${main}, ${bounds}` : main;
}

function maxDoseText(d: Dosage): string | undefined {
  const m = d.maxDosePerPeriod;
  const amount = quantityText(m?.numerator);
  const per = m?.denominator;
  if (!amount || per?.value === undefined) return undefined;
  const period = per.value === 1 && per.code === 'd' ? '24 hours' : durationText(per.value, per.code, per.unit);
  return `Do not take more than ${amount} in ${period}.`;
}

/** The dosages in the order they are taken: by `sequence`, those without one last, in their given order. */
function ordered(dosages: readonly Dosage[]): Dosage[][] {
  const steps = new Map<number, Dosage[]>();
  dosages.forEach((d, i) => {
    const key = d.sequence ?? 1_000_000 + i;
    steps.set(key, [...(steps.get(key) ?? []), d]);
  });
  return [...steps.entries()].sort((a, b) => a[0] - b[0]).map(([, ds]) => ds);
}

/** The directions for the patient, every dosage in order: "Take … , then … ." plus the maximum dose. */
export function directionsText(dosages: readonly Dosage[] | undefined): string {
  const list = dosages ?? [];
  if (list.length === 0) return '';
  if (!list.some(isStructured)) return list.map((d) => d.text).filter(Boolean).join(' ');
  const groups = ordered(list);
  const route = routeOf(groups.flat().find(isStructured)!);
  // The route is said once, with the first dosage, unless a later one differs.
  const steps = groups.map((step, i) => step.map((d, j) => dosagePhrase(d, { route: (i === 0 && j === 0) || routeOf(d)?.words !== route?.words })).join(', and '));
  const sentence = `${route?.verb ?? 'Take'} ${steps.join(', then ')}.`;
  const limits = list.map(maxDoseText).filter(Boolean);
  return [sentence, ...limits].join(' ');
}

/** "Dispense 40 tablets. Refills: 0." from the request's dispense details. */
export function dispenseText(request: Pick<MedicationRequest, 'dispenseRequest'>): string {
  const d = request.dispenseRequest;
  const parts: string[] = [];
  const amount = quantityText(d?.quantity);
  if (amount) parts.push(`Dispense ${amount}.`);
  if (d?.numberOfRepeatsAllowed !== undefined) parts.push(`Refills: ${d.numberOfRepeatsAllowed}.`);
  return parts.join(' ');
}

/** Everything a prescription says in words: directions, then what to dispense. */
export function prescriptionText(request: Pick<MedicationRequest, 'dosageInstruction' | 'dispenseRequest'>): string {
  return [directionsText(request.dosageInstruction), dispenseText(request)].filter(Boolean).join(' ');
}
