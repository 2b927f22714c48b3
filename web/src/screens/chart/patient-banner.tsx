import type { Patient } from '@medplum/fhirtypes';
import { Link } from 'react-aria-components';
import { allergyStatus } from '../../chart/summary.ts';
import { Badge, InitialsAvatar } from '../../design/index.ts';
import { ageText, death, familyFirst, initials, mrn, sexText } from '../../fhir-format/patient.ts';
import { conceptText, dateText } from '../../fhir-format/values.ts';
import { matches } from '../../fhir/queries.ts';
import { useAllergies } from './chart-queries.ts';
import './chart.css';
import { useRememberRecentPatient } from '../patient-search/use-recent-patients.ts';

/**
 * Who this chart belongs to, always in the same reserved place under the top bar and never
 * scrolled away (NIST 7804-1): name, age and birth date (or the date of death and age at death),
 * sex, MRN, allergies, initials. The name links back to the chart at a glance.
 */
export function PatientBanner({ patient }: { patient: Patient }) {
  useRememberRecentPatient(patient.id);
  const allergies = useAllergies(patient.id!);
  const status = allergyStatus(matches(allergies.data));
  const mrnValue = mrn(patient.identifier);
  const died = death(patient);
  return (
    <section className="patient-banner" aria-label="Patient" data-deceased={died ? true : undefined}>
      <InitialsAvatar initials={initials(patient.name)} />
      <div className="patient-banner-identity">
        <h1 className="patient-banner-name">
          <Link className="patient-banner-link" href={`/patients/${patient.id}`}>
            {familyFirst(patient.name)}
          </Link>
        </h1>
        <dl className="patient-banner-facts">
          {died ? (
            <div>
              <dt className="visually-hidden">Status</dt>
              <dd>
                <Badge tone="neutral">{died.date ? `Deceased ${dateText(died.date)}` : 'Deceased'}</Badge>
                {died.ageAtDeath && <span> aged {died.ageAtDeath}</span>}
                {patient.birthDate && <span className="muted"> (born {dateText(patient.birthDate)})</span>}
              </dd>
            </div>
          ) : (
            <div>
              <dt>Age</dt>
              <dd>
                {ageText(patient.birthDate)}
                {patient.birthDate && <span className="muted"> (born {dateText(patient.birthDate)})</span>}
              </dd>
            </div>
          )}
          <div>
            <dt>Sex</dt>
            <dd>{sexText(patient.gender)}</dd>
          </div>
          <div>
            <dt>MRN</dt>
            <dd className="mono">{mrnValue ?? 'None'}</dd>
          </div>
        </dl>
      </div>
      <div className="patient-banner-flags">
        {allergies.isPending ? (
          <Badge tone="neutral">Allergies: checking…</Badge>
        ) : allergies.isError ? (
          <Badge tone="warning">Allergies: could not load</Badge>
        ) : status.active.length > 0 ? (
          <Badge tone="danger">
            Allergies ({status.active.length}): {status.active.map((a) => conceptText(a.code) || 'unnamed').join(', ')}
          </Badge>
        ) : status.noneKnown ? (
          <Badge tone="success">No known allergies</Badge>
        ) : status.unrecorded ? (
          <Badge tone="warning">Allergies not recorded</Badge>
        ) : (
          <Badge tone="neutral">No active allergies</Badge>
        )}
      </div>
    </section>
  );
}
