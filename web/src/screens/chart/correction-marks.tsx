/**
 * On a chart item (a problem, allergy, medicine, vaccination): that the patient asked to correct it
 * and what came of it — "Patient requested a correction — accepted", with the answer on hover and
 * to screen readers. The record keeps the outcome through the request Task's `focus`; every row of
 * a chart reads the same one search of the patient's correction requests (one request, cached).
 */
import type { Communication, Task } from '@medplum/fhirtypes';
import { useMemo } from 'react';
import { answerOf, CORRECTION_TOKEN, correctionsByItem, DISAGREEMENT_TOKEN, markerText, stateOf, statementsByRequest } from '../../corrections/correction-requests.ts';
import { Badge } from '../../design/index.ts';
import { matches, useSearch } from '../../fhir/queries.ts';
import './correction-marks.css';

export function useCorrectionRequests(patientId: string | undefined) {
  return useSearch<Task>('Task', { patient: patientId, code: CORRECTION_TOKEN, _sort: '-authored-on', _count: 100 }, { enabled: patientId !== undefined });
}

export function CorrectionMarks({ patientId, item }: { patientId: string | undefined; item: string }) {
  const requests = useCorrectionRequests(patientId);
  const byItem = useMemo(() => correctionsByItem(matches(requests.data)), [requests.data]);
  const newest = byItem.get(item)?.[0];
  // Statements are read only for a chart with a denied request.
  const anyDenied = useMemo(() => matches(requests.data).some((t) => stateOf(t) === 'denied'), [requests.data]);
  const statements = useSearch<Communication>('Communication', { patient: patientId, category: DISAGREEMENT_TOKEN, _count: 100 }, { enabled: patientId !== undefined && anyDenied });
  const statement = newest === undefined ? undefined : statementsByRequest(matches(statements.data)).get(`Task/${newest.id}`)?.[0];
  if (newest === undefined) return null;
  const state = stateOf(newest);
  const answer = answerOf(newest);
  return (
    <span className="correction-marks" title={answer || newest.description}>
      <Badge tone={state === 'accepted' ? 'success' : state === 'denied' ? 'warning' : 'info'}>{markerText(newest)}</Badge>
      {answer && <span className="visually-hidden">: {answer}</span>}
      {statement && (
        <span title={statement.payload?.find((p) => p.contentString)?.contentString}>
          <Badge tone="neutral">Patient filed a statement of disagreement</Badge>
        </span>
      )}
    </span>
  );
}
