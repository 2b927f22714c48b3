import type { DocumentReference, Patient } from '@medplum/fhirtypes';
import { useParams } from 'react-router';
import { useRead } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { signState } from '../../notes/note-resource.ts';
import { ChartScreenHeader } from '../chart/chart-screen-header.tsx';
import { NoteEditor } from './note-editor.tsx';
import { NoteView } from './note-view.tsx';
import './notes.css';

/**
 * `/patients/:patientId/notes/:noteId`: a draft opens in the editor (saved as you type); a signed
 * note, or one awaiting co-signature, is shown read-only with its signatures, addenda and history.
 */
export function NoteScreen() {
  const { patientId, noteId } = useParams() as { patientId: string; noteId: string };
  const note = useRead<DocumentReference>('DocumentReference', noteId);
  const patient = useRead<Patient>('Patient', patientId);
  return (
    <div className="screen notes">
      <QueryView query={note} what="the note" skeletonLines={8}>
        {(doc) =>
          doc.subject?.reference !== `Patient/${patientId}` ? (
            <p role="alert">This note belongs to another chart. Open it from that patient’s chart.</p>
          ) : (
            <QueryView query={patient} what="the patient">
              {(p) => (
                <>
                  <ChartScreenHeader title={doc.description ?? 'Visit note'} />
                  {signState(doc) === 'draft' ? <NoteEditor key={doc.id} stored={doc} patient={p} /> : <NoteView doc={doc} patient={p} />}
                </>
              )}
            </QueryView>
          )
        }
      </QueryView>
    </div>
  );
}
