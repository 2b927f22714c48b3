import './lists.css';
import type { Patient } from '@medplum/fhirtypes';
import type { ReactNode } from 'react';
import { NavLink } from 'react-router';
import { useRead } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';

const LISTS = [
  { path: '', label: 'Chart summary' },
  { path: '/problems', label: 'Problems' },
  { path: '/medications', label: 'Medications' },
  { path: '/allergies', label: 'Allergies' },
  { path: '/immunizations', label: 'Immunizations' },
] as const;

/**
 * A chart list page (`/patients/:id/problems` …), inside the chart layout that keeps the banner
 * in its slot: links between the lists, and the page's own content. The patient (the layout's
 * read, shared through the query cache) is handed to the content so dialogs can repeat the name
 * and MRN.
 */
export function ListPage({ patientId, children }: { patientId: string; children: (patient: Patient) => ReactNode }) {
  const patient = useRead<Patient>('Patient', patientId);
  return (
    <>
      <nav className="list-nav" aria-label="Chart sections">
        {LISTS.map((l) => (
          <NavLink key={l.path} to={`/patients/${encodeURIComponent(patientId)}${l.path}`} end className="list-nav-link">
            {l.label}
          </NavLink>
        ))}
      </nav>
      <div className="screen list-body">
        <QueryView query={patient} what="the patient">
          {(p) => children(p)}
        </QueryView>
      </div>
    </>
  );
}
