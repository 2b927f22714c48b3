/**
 * `GET Patient/$restricted-records`: for the practice administrator (`privacy-officer.ts`), which
 * charts and which resources are restricted (`meta.security` v3-Confidentiality R or V), and the
 * care relationships that open them — without clinical content, which the administrator may not
 * see. A Parameters resource:
 * - `chart` (one per patient with a restricted chart or restricted resources), parts: `patient`
 *   (reference with the name as display), `label` (the chart's own confidentiality label, absent
 *   when only some of its resources are restricted), `restrictedResources` (how many),
 *   `generalPractitioner` and `careTeamMember` (Practitioner references with names: the general
 *   practitioners and the participants of active CareTeams for the patient, who open the chart);
 * - `resource` (one per restricted resource, newest first), parts: `resource` (a reference: type
 *   and id only), `date` (when it was last changed), `label`, `patient` (with the name).
 * At most `LIMIT` charts and resources each; `truncated` says when there were more.
 */
import type { CareTeam, Coding, Parameters, ParametersParameter, Patient, Reference, Resource } from '@medplum/fhirtypes';
import { requirePrivacyOfficer } from '../../../domain/access/privacy-officer.ts';
import { CONFIDENTIALITY, restrictedLabelCriterion } from '../../../domain/access/security-labels.ts';
import { patientsOf } from '../../../domain/audit/patients-of.ts';
import type { Ctx } from '../../../domain/context.ts';
import { nameBook } from '../../../domain/privacy/name-book.ts';
import { compartmentMemberTypes } from '../../../fhir/search/compartment.ts';
import { errors } from '../../../fhir/outcome.ts';
import type { SearchCriterion } from '../../../fhir/search/types.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';

const LIMIT = 1000;

interface Chart {
  patient: string;
  label?: Coding;
  resources: number;
  generalPractitioners: string[];
  careTeamMembers: Set<string>;
}

export async function restrictedRecords(ctx: Ctx, req: FhirRequest): Promise<FhirResponse> {
  requirePrivacyOfficer(ctx);
  const unknown = [...req.query.keys()];
  if (unknown.length > 0) throw errors.invalid(`Patient/$restricted-records takes no parameters; not ${unknown[0]}`, unknown[0]);
  const labelled = [restrictedLabelCriterion()];
  const [charts, resources] = await Promise.all([search(ctx, ['Patient'], labelled), search(ctx, compartmentMemberTypes('Patient').filter((t) => t !== 'Patient'), labelled)]);
  const byPatient = new Map<string, Chart>();
  const chartOf = (patient: string): Chart => {
    let chart = byPatient.get(patient);
    if (chart === undefined) {
      chart = { patient, resources: 0, generalPractitioners: [], careTeamMembers: new Set() };
      byPatient.set(patient, chart);
    }
    return chart;
  };
  const patients = new Map<string, Patient>();
  for (const p of charts.resources as Patient[]) {
    patients.set(`Patient/${p.id}`, p);
    const chart = chartOf(`Patient/${p.id}`);
    const label = labelOf(p);
    if (label !== undefined) chart.label = label;
  }
  const resourceParams: ParametersParameter[] = [];
  const names = nameBook(ctx);
  const sorted = [...resources.resources].sort((a, b) => (b.meta?.lastUpdated ?? '').localeCompare(a.meta?.lastUpdated ?? ''));
  for (const r of sorted) {
    const [patient] = patientsOf([r]);
    if (patient !== undefined) chartOf(patient).resources++;
    const part: ParametersParameter[] = [{ name: 'resource', valueReference: { reference: `${r.resourceType}/${r.id}` } }];
    if (r.meta?.lastUpdated !== undefined) part.push({ name: 'date', valueInstant: r.meta.lastUpdated });
    const label = labelOf(r);
    if (label !== undefined) part.push({ name: 'label', valueCoding: label });
    if (patient !== undefined) part.push({ name: 'patient', valueReference: await named(patient, names) });
    resourceParams.push({ name: 'resource', part });
  }
  // The patients of restricted resources whose charts are not restricted: their general practitioners too.
  for (const ref of byPatient.keys()) {
    if (patients.has(ref)) continue;
    const stored = await ctx.store.reader(ctx.tenant).readCurrent('Patient', ref.slice('Patient/'.length));
    if (stored?.resource !== undefined && !stored.deleted) patients.set(ref, stored.resource as Patient);
  }
  for (const [ref, p] of patients) {
    chartOf(ref).generalPractitioners = (p.generalPractitioner ?? []).map((g) => g.reference ?? '').filter((g) => g.startsWith('Practitioner/'));
  }
  await addCareTeams(ctx, byPatient);

  const chartParams: ParametersParameter[] = [];
  for (const chart of byPatient.values()) {
    const part: ParametersParameter[] = [{ name: 'patient', valueReference: await named(chart.patient, names) }];
    if (chart.label !== undefined) part.push({ name: 'label', valueCoding: chart.label });
    part.push({ name: 'restrictedResources', valueInteger: chart.resources });
    for (const gp of chart.generalPractitioners) part.push({ name: 'generalPractitioner', valueReference: await named(gp, names) });
    for (const member of chart.careTeamMembers) part.push({ name: 'careTeamMember', valueReference: await named(member, names) });
    chartParams.push({ name: 'chart', part });
  }
  chartParams.sort((a, b) => (a.part![0].valueReference!.display ?? '').localeCompare(b.part![0].valueReference!.display ?? ''));
  const truncated = charts.resources.length >= LIMIT || resources.resources.length >= LIMIT;
  const body: Parameters = { resourceType: 'Parameters', parameter: [...chartParams, ...resourceParams, ...(truncated ? [{ name: 'truncated', valueBoolean: true }] : [])] };
  return { status: 200, body, patients: [...byPatient.keys()] };
}

/** Participants of active CareTeams whose subject is one of the charts: one search for all of them. */
async function addCareTeams(ctx: Ctx, charts: Map<string, Chart>): Promise<void> {
  if (charts.size === 0) return;
  const subject: SearchCriterion = {
    param: 'subject',
    type: 'reference',
    values: [...charts.keys()].map((ref) => ({ kind: 'reference', targetType: 'Patient', targetId: ref.slice('Patient/'.length) })),
  };
  const active: SearchCriterion = { param: 'status', type: 'token', values: [{ kind: 'token', code: 'active' }] };
  const teams = await search(ctx, ['CareTeam'], [subject, active]);
  for (const team of teams.resources as CareTeam[]) {
    const chart = charts.get(team.subject?.reference ?? '');
    if (chart === undefined) continue;
    for (const p of team.participant ?? []) if (p.member?.reference?.startsWith('Practitioner/')) chart.careTeamMembers.add(p.member.reference);
  }
}

function search(ctx: Ctx, resourceTypes: string[], criteria: SearchCriterion[]): Promise<{ resources: Resource[] }> {
  return ctx.store.reader(ctx.tenant).search({ resourceTypes, criteria, sort: [], count: LIMIT, total: 'none', include: [], revinclude: [] });
}

function labelOf(r: Resource): Coding | undefined {
  const label = (r.meta?.security ?? []).find((s) => s.system === CONFIDENTIALITY && (s.code === 'R' || s.code === 'V'));
  return label === undefined ? undefined : { system: CONFIDENTIALITY, code: label.code, display: label.code === 'V' ? 'very restricted' : 'restricted' };
}

async function named(reference: string, names: ReturnType<typeof nameBook>): Promise<Reference> {
  const display = await names.of(reference);
  return display === undefined ? { reference } : { reference, display };
}
