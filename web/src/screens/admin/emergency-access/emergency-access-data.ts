/**
 * The emergency-access review over FHIR (docs/audit.md "Reviewing emergency access"): the queue is
 * `AuditEvent/$emergency-access` (break-the-glass entries with names, each reviewed one followed by
 * its review), what a grant opened is the AuditEvent search (purpose ETREAT, that user, that
 * patient, the grant's hour), a review is `AuditEvent/[id]/$review`.
 */
import type { AuditEvent, Bundle, Parameters } from '@medplum/fhirtypes';
import { useMutation, useQuery, useQueryClient, type UseQueryResult } from '@tanstack/react-query';
import { useFhir } from '../../../fhir/fhir-context.tsx';

export type ReviewFilter = 'unreviewed' | 'reviewed' | 'all';
export type Verdict = 'appropriate' | 'inappropriate';

/** A grant lasts one hour (docs/access.md). */
const GRANT_MS = 60 * 60 * 1000;
const QUEUE_KEY = ['fhir', 'AuditEvent', 'emergency-access'];

export interface EmergencyAccess {
  id: string;
  recorded: string;
  who: string;
  /** The user's account id: what the trail's `agent` filter takes. */
  userId: string;
  role?: string;
  patient: { reference: string; name: string };
  reason: string;
  review?: Review;
}

export interface Review {
  id: string;
  recorded: string;
  reviewer: string;
  verdict: Verdict;
  note: string;
}

export interface OpenedRecord {
  id: string;
  recorded: string;
  interaction: string;
  /** `Type/id` of what was read or searched, without its content. */
  what: string[];
}

function whoOf(event: AuditEvent): { name: string; id: string; role?: string } {
  const agent = event.agent?.[0];
  const id = agent?.who?.identifier?.value ?? '';
  return { name: agent?.who?.display ?? id, id, ...(agent?.role?.[0]?.text ? { role: agent.role[0].text } : {}) };
}

function reviewOf(event: AuditEvent): Review {
  const detail = event.entity?.[0]?.detail?.[0]?.valueString;
  const parsed = detail ? (JSON.parse(detail) as { verdict: Verdict; note: string }) : { verdict: 'appropriate' as const, note: '' };
  return { id: event.id ?? '', recorded: event.recorded ?? '', reviewer: whoOf(event).name, verdict: parsed.verdict, note: parsed.note };
}

/** The queue's entries: each access with its review, if the bundle includes one. */
export function accessesOf(bundle: Bundle<AuditEvent>): EmergencyAccess[] {
  const entries = bundle.entry ?? [];
  const reviews = new Map<string, Review>();
  for (const e of entries) {
    if (e.search?.mode !== 'include' || e.resource === undefined) continue;
    const of = e.resource.entity?.[0]?.what?.reference;
    if (of !== undefined) reviews.set(of.replace('AuditEvent/', ''), reviewOf(e.resource));
  }
  return entries
    .filter((e) => e.search?.mode === 'match' && e.resource !== undefined)
    .map((e) => {
      const event = e.resource!;
      const who = whoOf(event);
      const patient = event.entity?.find((x) => x.role?.code === '1')?.what ?? event.entity?.[0]?.what;
      const review = reviews.get(event.id ?? '');
      return {
        id: event.id ?? '',
        recorded: event.recorded ?? '',
        who: who.name,
        userId: who.id,
        ...(who.role ? { role: who.role } : {}),
        patient: { reference: patient?.reference ?? '', name: patient?.display ?? patient?.reference ?? 'Unknown patient' },
        reason: event.purposeOfEvent?.[0]?.text ?? '',
        ...(review ? { review } : {}),
      };
    });
}

export function useEmergencyAccesses(filter: ReviewFilter): UseQueryResult<Bundle<AuditEvent>> {
  const fhir = useFhir();
  const params = filter === 'all' ? { _count: 50 } : { reviewed: String(filter === 'reviewed'), _count: 50 };
  return useQuery({ queryKey: [...QUEUE_KEY, filter], queryFn: ({ signal }) => fhir.operation<Bundle<AuditEvent>>('AuditEvent', 'emergency-access', params, signal) });
}

/** How many accesses wait for review (the Bundle's total; no entries fetched). */
export function useUnreviewedCount(): UseQueryResult<number> {
  const fhir = useFhir();
  return useQuery({
    queryKey: [...QUEUE_KEY, 'unreviewed-count'],
    queryFn: async ({ signal }) => (await fhir.operation<Bundle>('AuditEvent', 'emergency-access', { reviewed: 'false', _count: 0 }, signal)).total ?? 0,
  });
}

/** What the user opened with the grant: their emergency-treatment entries for that patient within its hour. */
export function useOpenedRecords(access: EmergencyAccess): UseQueryResult<OpenedRecord[]> {
  const fhir = useFhir();
  const from = Date.parse(access.recorded);
  const params = new URLSearchParams({ agent: access.userId, patient: access.patient.reference, purpose: 'ETREAT', _sort: 'date', _count: '100' });
  params.append('date', `ge${new Date(from).toISOString()}`);
  params.append('date', `le${new Date(from + GRANT_MS).toISOString()}`);
  return useQuery({
    queryKey: ['fhir', 'AuditEvent', 'search', 'opened', access.id],
    queryFn: async ({ signal }) => {
      const bundle = await fhir.search<AuditEvent>('AuditEvent', params, signal);
      return (bundle.entry ?? [])
        .map((e) => e.resource!)
        .filter((event) => !['break-glass', '$break-the-glass'].includes(event.subtype?.[0]?.code ?? ''))
        .map((event) => ({
          id: event.id ?? '',
          recorded: event.recorded ?? '',
          interaction: interactionWords(event.subtype?.[0]?.code ?? ''),
          what: (event.entity ?? []).filter((x) => x.role?.code !== '1' && x.what?.reference).map((x) => x.what!.reference!),
        }));
    },
  });
}

const INTERACTIONS: Record<string, string> = {
  read: 'Read',
  vread: 'Read a version',
  'history-instance': 'Read the history',
  'search-type': 'Search',
  'search-system': 'Search',
  'search-compartment': 'Search',
  create: 'Create',
  update: 'Update',
  patch: 'Update',
  delete: 'Delete',
};

/** An audit subtype as a reviewer reads it; operations keep their names (`$lastn`). */
export function interactionWords(code: string): string {
  return INTERACTIONS[code] ?? code;
}

export function useReview() {
  const fhir = useFhir();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ id, verdict, note }: { id: string; verdict: Verdict; note: string }) => {
      const body: Parameters = { resourceType: 'Parameters', parameter: [{ name: 'verdict', valueCode: verdict }, { name: 'note', valueString: note }] };
      return fhir.invokeOn<AuditEvent>('AuditEvent', id, 'review', body);
    },
    onSuccess: () => queryClient.invalidateQueries({ queryKey: QUEUE_KEY }),
  });
}
