import { useCallback, useEffect, useState } from 'react';
import { useUser } from '../../auth/auth-context.tsx';
import { readRecentPatients, rememberRecentPatient } from '../../patient-search/recent-patients.ts';

/** Records that the signed-in user opened this patient's chart (for the search box's recent list). */
export function useRememberRecentPatient(patientId: string | undefined): void {
  const user = useUser();
  useEffect(() => {
    if (patientId) rememberRecentPatient(window.localStorage, user.id, patientId);
  }, [user.id, patientId]);
}

/** The ids of the patients this user opened lately, newest first; `reload` reads them again. */
export function useRecentPatientIds(): { ids: string[]; reload: () => void } {
  const user = useUser();
  const [ids, setIds] = useState(() => readRecentPatients(window.localStorage, user.id));
  const reload = useCallback(() => {
    const now = readRecentPatients(window.localStorage, user.id);
    setIds((before) => (before.join() === now.join() ? before : now));
  }, [user.id]);
  return { ids, reload };
}
