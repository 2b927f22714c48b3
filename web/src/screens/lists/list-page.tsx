import './lists.css';
import type { Patient } from '@medplum/fhirtypes';
import type { ReactNode } from 'react';
import { useRead } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';

/**
 * A chart list page (`/patients/:id/problems` …), inside the chart layout that keeps the banner
 * and the chart's sections in their slot: the page's title and actions (add…), and its content. The patient (the layout's
 * read, shared through the query cache) is handed to the content so dialogs can repeat the name
 * and MRN.
 */
export function ListPage({ patientId, title, actions, children }: { patientId: string; title: string; actions?: ReactNode; children: (patient: Patient) => ReactNode }) {
  const patient = useRead<Patient>('Patient', patientId);
  return (
    <div className="screen list-body">
      <div className="screen-header">
        <h2>{title}</h2>
        {actions}
      </div>
      <QueryView query={patient} what="the patient">
        {(p) => children(p)}
      </QueryView>
    </div>
  );
}
