import type { DocumentReference, Patient, Provenance } from '@medplum/fhirtypes';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useUser } from '../../auth/auth-context.tsx';
import { Button, ButtonLink, Panel } from '../../design/index.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { matches } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { dateText } from '../../fhir-format/values.ts';
import { isInsertedHeader } from '../../notes/chart-inserts.ts';
import { cosignerOf, sectionsOf, signActionFor, signaturesOf, signedNote, signState } from '../../notes/note-resource.ts';
import { sectionsWordCount, type NoteSection } from '../../notes/note-text.ts';
import { useMe } from './note-new-screen.tsx';
import { useAddenda, useNoteHistory, useSignatures } from './note-queries.ts';
import { SignDialog } from './sign-dialog.tsx';
import { SignStateBadge } from './sign-state-badge.tsx';
import { VisitSummaryDialog } from '../visit-summary/visit-summary-dialog.tsx';

/**
 * A signed note (or one awaiting co-signature), read-only: its text with inserted chart data
 * marked, who signed and when, its addenda (each signed on its own), "Add addendum", "Co-sign"
 * for the supervisor a trainee named, and the note's history (every version, every signature).
 */
export function NoteView({ doc, patient }: { doc: DocumentReference; patient: Patient }) {
  const user = useUser();
  const me = useMe();
  const fhir = useFhir();
  const queryClient = useQueryClient();
  const [cosigning, setCosigning] = useState(false);
  const [summary, setSummary] = useState(false);
  const isNote = !doc.relatesTo?.some((r) => r.code === 'appends');
  const action = signActionFor(doc, user);
  const state = signState(doc);
  const addendaHref = `/patients/${encodeURIComponent(patient.id!)}/notes/new?appends=${encodeURIComponent(doc.id!)}`;
  const cosign = async () => {
    if (!me) throw new Error('Your account is not linked to a practitioner.');
    const saved = await fhir.update(signedNote(doc, me, new Date().toISOString(), 'cosign') as DocumentReference & { id: string }, { ifMatch: doc.meta?.versionId ?? '' });
    queryClient.setQueryData(['fhir', 'DocumentReference', 'read', saved.id], saved);
    void queryClient.invalidateQueries({ queryKey: ['fhir', 'DocumentReference'] });
    void queryClient.invalidateQueries({ queryKey: ['fhir', 'Provenance'] });
  };
  return (
    <div className="note-view">
      <div className="note-view-head">
        <SignStateBadge state={state} />
        <Signatures doc={doc} />
        <div className="note-view-actions">
          {action.kind === 'cosign' && (
            <Button variant="primary" onPress={() => setCosigning(true)}>
              Co-sign…
            </Button>
          )}
          {state === 'signed' && (
            <ButtonLink variant={action.kind === 'cosign' ? 'secondary' : 'primary'} href={addendaHref}>
              Add addendum
            </ButtonLink>
          )}
          {state === 'signed' && isNote && <Button onPress={() => setSummary(true)}>After-visit summary</Button>}
        </div>
      </div>
      <Panel title="Note">
        <NoteText sections={sectionsOf(doc)} />
      </Panel>
      <Addenda noteId={doc.id!} base={`/patients/${encodeURIComponent(patient.id!)}/notes`} />
      <History noteId={doc.id!} />
      {summary && <VisitSummaryDialog note={doc} patient={patient} onClose={() => setSummary(false)} />}
      <SignDialog isOpen={cosigning} onClose={() => setCosigning(false)} patient={patient} title={doc.description ?? 'Visit note'} words={sectionsWordCount(sectionsOf(doc))} mode="cosign" onConfirm={cosign} />
    </div>
  );
}

/** "Signed by Dr. Dana Whitfield, 5 Dec 2026, 10:04"; a trainee's note names who must co-sign. */
function Signatures({ doc }: { doc: DocumentReference }) {
  const signatures = signaturesOf(doc);
  const cosigner = cosignerOf(doc);
  return (
    <ul className="note-signatures" aria-label="Signatures">
      {signatures.map((s, i) => (
        <li key={i}>
          {s.mode === 'professional' ? 'Signed (trainee) by ' : i > 0 ? 'Co-signed by ' : 'Signed by '}
          <strong>{s.party.display ?? s.party.reference}</strong>, {dateText(s.time, true)}
        </li>
      ))}
      {signatures.length === 0 && doc.authenticator && <li>Signed by {doc.authenticator.display ?? doc.authenticator.reference}</li>}
      {signState(doc) === 'awaiting-cosignature' && cosigner && <li>Awaiting co-signature by {cosigner.display ?? cosigner.reference}</li>}
    </ul>
  );
}

/** The note's sections; blocks of inserted chart data are marked (boxed, with their label). */
export function NoteText({ sections }: { sections: readonly NoteSection[] }) {
  return (
    <div className="note-text">
      {sections.map((s, i) => (
        <section key={i} aria-label={s.title}>
          <h3 className="note-text-title">{s.title}</h3>
          {blocksOf(s.text).map((b, j) =>
            b.inserted ? (
              <div key={j} className="note-inserted">
                <span className="note-inserted-label">{b.lines[0]!.slice(1, -1)}</span>
                {b.lines.slice(1).map((l, k) => (
                  <div key={k}>{l}</div>
                ))}
              </div>
            ) : (
              <p key={j} className="note-text-para">
                {b.lines.join('\n')}
              </p>
            ),
          )}
        </section>
      ))}
    </div>
  );
}

function blocksOf(text: string): { inserted: boolean; lines: string[] }[] {
  const blocks: { inserted: boolean; lines: string[] }[] = [];
  let inInserted = false;
  for (const line of text.split('\n')) {
    const last = blocks.at(-1);
    if (isInsertedHeader(line)) {
      blocks.push({ inserted: true, lines: [line] });
      inInserted = true;
    } else if (inInserted && last && (last.lines.length === 1 || line.startsWith('- '))) {
      last.lines.push(line);
    } else {
      inInserted = false;
      if (last && !last.inserted) last.lines.push(line);
      else blocks.push({ inserted: false, lines: [line] });
    }
  }
  return blocks.filter((b) => b.inserted || b.lines.join('').trim() !== '');
}

function Addenda({ noteId, base }: { noteId: string; base: string }) {
  const addenda = useAddenda(noteId);
  const list = matches(addenda.data);
  return (
    <Panel title="Addenda">
      <QueryView query={addenda} what="addenda" isEmpty={() => list.length === 0} empty={<p className="muted">No addenda.</p>}>
        {() => (
          <ol className="note-addenda" aria-label="Addenda">
            {list.map((a) => (
              <li key={a.id} className="note-addendum">
                <div className="note-addendum-head">
                  <SignStateBadge state={signState(a)} />
                  <Signatures doc={a} />
                  {signState(a) === 'draft' && <ButtonLink size="sm" href={`${base}/${encodeURIComponent(a.id!)}`}>Continue the draft</ButtonLink>}
                </div>
                <NoteText sections={sectionsOf(a)} />
              </li>
            ))}
          </ol>
        )}
      </QueryView>
    </Panel>
  );
}

function History({ noteId }: { noteId: string }) {
  const history = useNoteHistory(noteId);
  const signatures = useSignatures(noteId);
  const byVersion = new Map<string, Provenance>();
  for (const p of matches(signatures.data)) {
    const version = /\/_history\/([^/]+)$/.exec(p.target[0]?.reference ?? '')?.[1];
    if (version) byVersion.set(version, p);
  }
  return (
    <Panel title="History">
      <QueryView query={history} what="the note’s history">
        {(bundle) => (
          <ol className="note-history" aria-label="Versions of this note">
            {matches(bundle).map((v) => {
              const signature = byVersion.get(v.meta?.versionId ?? '');
              const agent = signature?.agent[0];
              return (
                <li key={v.meta?.versionId}>
                  Version {v.meta?.versionId} · {dateText(v.meta?.lastUpdated, true)} ·{' '}
                  {signature
                    ? `${agent?.type?.coding?.[0]?.code === 'attester' ? 'co-signed' : 'signed'} by ${agent?.who?.display ?? agent?.who?.reference ?? 'someone'} (recorded ${dateText(signature.recorded, true)})`
                    : v.meta?.versionId === '1'
                      ? 'draft started'
                      : 'draft saved'}
                </li>
              );
            })}
          </ol>
        )}
      </QueryView>
    </Panel>
  );
}
