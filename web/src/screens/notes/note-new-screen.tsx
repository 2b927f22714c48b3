import type { Bundle, DocumentReference, Practitioner, Reference } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useNavigate, useParams, useSearchParams } from 'react-router';
import { useUser } from '../../auth/auth-context.tsx';
import { Button, ButtonLink, ErrorState, LoadingSkeleton, Panel } from '../../design/index.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { matches, useRead } from '../../fhir/queries.ts';
import { givenFirst } from '../../fhir-format/patient.ts';
import { dateText } from '../../fhir-format/values.ts';
import { allergiesBlock, medicationsBlock, problemsBlock, vitalsBlock, type Inserted, type InsertKind } from '../../notes/chart-inserts.ts';
import { draftNote, newVisit, visitToday } from '../../notes/note-resource.ts';
import { availableTemplates, expandTemplate, placeholdersIn, type NoteTemplate } from '../../notes/templates.ts';
import { useActiveProblems, useAllergies, useCurrentMedications, useLatestVitals } from '../chart/chart-queries.ts';
import { ChartScreenHeader } from '../chart/chart-screen-header.tsx';
import { useTemplates, useVisits } from './note-queries.ts';
import './notes.css';

/** The chart data a note can take, read once when the screen opens (the chart's own cached searches). */
export function useChartInserts(patientId: string): { ready: boolean; block: (kind: InsertKind) => Inserted | undefined } {
  const vitals = useLatestVitals(patientId);
  const problems = useActiveProblems(patientId);
  const medications = useCurrentMedications(patientId);
  const allergies = useAllergies(patientId);
  const now = new Date().toISOString();
  const block = (kind: InsertKind): Inserted | undefined => {
    if (kind === 'vitals') return vitals.data ? vitalsBlock(matches(vitals.data), now) : undefined;
    if (kind === 'problems') return problems.data ? problemsBlock(matches(problems.data), now) : undefined;
    if (kind === 'medications') return medications.data ? medicationsBlock(matches(medications.data), now) : undefined;
    return allergies.data ? allergiesBlock(matches(allergies.data), now) : undefined;
  };
  return { ready: !vitals.isPending && !problems.isPending && !medications.isPending && !allergies.isPending, block };
}

/** The signed-in practitioner as a reference with their name (written into notes and signatures). */
export function useMe(): Reference<Practitioner> | undefined {
  const user = useUser();
  const id = user.fhirUser?.startsWith('Practitioner/') ? user.fhirUser.slice('Practitioner/'.length) : undefined;
  const practitioner = useRead<Practitioner>('Practitioner', id);
  if (!user.fhirUser) return undefined;
  const name = practitioner.data ? givenFirst(practitioner.data.name) : '';
  return name ? { reference: user.fhirUser, display: name } : { reference: user.fhirUser };
}

/**
 * `/patients/:patientId/notes/new`: pick a template and the note starts — today's visit is
 * found or started, the template's chart data filled in, and the draft saved on the server at
 * once (so a second device, or a colleague, sees the same draft). `?appends=<id>` starts an
 * addendum to a signed note instead.
 */
export function NoteNewScreen() {
  const { patientId } = useParams() as { patientId: string };
  const [params] = useSearchParams();
  const appendsTo = params.get('appends');
  const fhir = useFhir();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const me = useMe();
  const templates = useTemplates();
  const visits = useVisits(patientId);
  const inserts = useChartInserts(patientId);
  const original = useRead<DocumentReference>('DocumentReference', appendsTo ?? undefined);
  const base = `/patients/${encodeURIComponent(patientId)}/notes`;

  const start = useMutation({
    mutationFn: async (template: NoteTemplate | 'addendum'): Promise<string> => {
      if (!me) throw new Error('Your account is not linked to a practitioner, so it cannot write notes. Ask your practice administrator.');
      const now = new Date().toISOString();
      const title = template === 'addendum' ? `Addendum to ${original.data?.description ?? 'note'}` : template.title;
      let sections = [{ title: 'Addendum', text: '' }];
      let related: Reference[] = [];
      if (template !== 'addendum') {
        const blocks: Partial<Record<InsertKind, string>> = {};
        for (const kind of placeholdersIn(template)) {
          const inserted = inserts.block(kind);
          if (inserted) {
            blocks[kind] = inserted.text;
            related = [...related, ...inserted.sources];
          }
        }
        sections = expandTemplate(template, blocks);
      }
      const visit = visitToday(matches(visits.data), new Date());
      const encounter = template === 'addendum' ? original.data?.context?.encounter?.[0]?.reference : visit ? `Encounter/${visit.id}` : 'urn:uuid:visit';
      const note = draftNote(sections, { patientId, author: me, encounter, appendsTo: appendsTo ? `DocumentReference/${appendsTo}` : undefined, title, now });
      if (related.length > 0) note.context = { ...(note.context ?? {}), related };
      if (encounter !== 'urn:uuid:visit') return (await fhir.create(note)).id!;
      // No visit in progress today: start one with the note, both or neither.
      const bundle: Bundle = {
        resourceType: 'Bundle',
        type: 'transaction',
        entry: [
          { fullUrl: 'urn:uuid:visit', resource: newVisit(patientId, me, now), request: { method: 'POST', url: 'Encounter' } },
          { resource: note, request: { method: 'POST', url: 'DocumentReference' } },
        ],
      };
      const saved = await fhir.transaction(bundle);
      const location = saved.entry?.[1]?.response?.location ?? '';
      return /DocumentReference\/([^/]+)/.exec(location)?.[1] ?? '';
    },
    onSuccess: async (id) => {
      await queryClient.invalidateQueries({ queryKey: ['fhir', 'DocumentReference'] });
      await queryClient.invalidateQueries({ queryKey: ['fhir', 'Encounter'] });
      void navigate(`${base}/${encodeURIComponent(id)}`, { replace: true });
    },
  });

  const loading = templates.isPending || visits.isPending || !inserts.ready || (appendsTo !== null && original.isPending);
  const visit = visitToday(matches(visits.data), new Date());
  return (
    <div className="screen notes">
      <ChartScreenHeader title={appendsTo ? 'New addendum' : 'New note'} />
      <Panel title={appendsTo ? 'Add an addendum' : 'Start from a template'}>
        {loading ? (
          <LoadingSkeleton lines={3} label="Loading templates" />
        ) : (
          <div className="note-start">
            <p className="muted note-visit">
              {visit ? `For today’s visit, in progress since ${dateText(visit.period?.start, true)}.` : 'No visit is in progress today: starting the note starts one.'}
            </p>
            {appendsTo ? (
              <>
                <p>
                  The signed note <strong>{original.data?.description ?? 'note'}</strong> stays as it is; the addendum is signed on its own and shown with it.
                </p>
                <Button variant="primary" autoFocus onPress={() => start.mutate('addendum')} isDisabled={start.isPending}>
                  {start.isPending ? 'Starting…' : 'Write the addendum'}
                </Button>
              </>
            ) : (
              <ul className="note-templates" aria-label="Templates">
                {availableTemplates(matches(templates.data)).map((t, i) => (
                  <li key={t.id}>
                    <Button variant={i === 0 ? 'primary' : 'secondary'} autoFocus={i === 0} onPress={() => start.mutate(t)} isDisabled={start.isPending}>
                      {t.title}
                    </Button>
                    <span className="muted note-template-sections">{t.sections.map((s) => s.title).join(' · ')}</span>
                  </li>
                ))}
              </ul>
            )}
            {!appendsTo && (
              <ButtonLink variant="quiet" size="sm" href="/note-templates">
                Edit the practice’s templates
              </ButtonLink>
            )}
            {templates.isError && <p className="muted">The practice’s templates could not be read ({errorMessage(templates.error)}); Heron’s are shown.</p>}
            {start.isError && <ErrorState title="The note was not started" message={errorMessage(start.error)} advice={errorAdvice(start.error)} />}
          </div>
        )}
      </Panel>
    </div>
  );
}
