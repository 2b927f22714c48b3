/**
 * "Unsigned notes" for the home screen: the signed-in clinician's clinical notes with no
 * authenticator yet (drafts, and a trainee's notes awaiting co-signature), counted on the server
 * (`_summary=count`), so the number costs one small request.
 */
import { useUser } from '../../auth/auth-context.tsx';
import { Badge } from '../../design/index.ts';
import { useSearch } from '../../fhir/queries.ts';
import { CLINICAL_NOTES } from './note-queries.ts';

export function useUnsignedNotesCount(): { count: number | undefined; isError: boolean } {
  const user = useUser();
  const query = useSearch('DocumentReference', { author: user.fhirUser, category: CLINICAL_NOTES, 'authenticator:missing': 'true', _summary: 'count' }, { enabled: user.fhirUser !== undefined });
  return { count: query.data?.total, isError: query.isError };
}

/** "3 unsigned notes" (nothing while loading or for users who do not write notes). */
export function UnsignedNotesCount() {
  const { count } = useUnsignedNotesCount();
  if (count === undefined) return null;
  return (
    <Badge tone={count > 0 ? 'warning' : 'neutral'}>
      {count === 0 ? 'No unsigned notes' : `${count} unsigned ${count === 1 ? 'note' : 'notes'}`}
    </Badge>
  );
}
