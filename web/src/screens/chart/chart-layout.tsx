import type { Patient } from '@medplum/fhirtypes';
import { Outlet, useParams } from 'react-router';
import { useRead } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { ChartNav } from './chart-nav.tsx';
import { PatientBanner } from './patient-banner.tsx';
import { PortalInviteButton } from './portal-invite.tsx';
import './chart.css';

/**
 * Every chart route (`/patients/:patientId/…`): the patient banner and the chart's sections in
 * the reserved slot, sticky under the top bar on every chart screen (NIST 7804-1), and the screen
 * below it.
 */
export function ChartLayout() {
  const { patientId } = useParams();
  const patient = useRead<Patient>('Patient', patientId);
  return (
    <div className="chart">
      <div className="chart-banner-slot">
        <QueryView query={patient} what="the patient" skeletonLines={2}>
          {(p) => <PatientBanner patient={p} />}
        </QueryView>
        {patientId && (
          // The chart's one action beside its sections: the banner itself has no room to spare at 1366 wide.
          <div className="chart-nav-row">
            <ChartNav patientId={patientId} />
            {patient.data && <PortalInviteButton patient={patient.data} />}
          </div>
        )}
      </div>
      {/* Nothing of a chart whose patient could not be read: an empty list there would say something false.
          Mounted (hidden) while the patient loads, so the screen's searches run in parallel with it. */}
      {!patient.isError && (
        <div className="chart-outlet" hidden={!patient.isSuccess}>
          <Outlet />
        </div>
      )}
    </div>
  );
}
