import type { AllergyIntolerance, Patient } from '@medplum/fhirtypes';
import { Badge, InitialsAvatar } from '../../design/index.ts';
import { ageText, familyFirst, initials, mrn, sexText } from '../../fhir-format/patient.ts';
import { conceptText, dateText } from '../../fhir-format/values.ts';
import { matches, useSearch } from '../../fhir/queries.ts';

/**
 * Who this chart belongs to, always in the same reserved place under the top bar and never
 * scrolled away (NIST 7804-1): name, age and birth date, sex, MRN, allergies, initials.
 */
export function PatientBanner({ patient }: { patient: Patient }) {
  const allergies = useSearch<AllergyIntolerance>('AllergyIntolerance', { patient: patient.id!, 'clinical-status': 'active', _count: 20 });
  const active = matches(allergies.data);
  const mrnValue = mrn(patient.identifier);
  return (
    <section className="patient-banner" aria-label="Patient">
      <InitialsAvatar initials={initials(patient.name)} />
      <div className="patient-banner-identity">
        <h1 className="patient-banner-name">{familyFirst(patient.name)}</h1>
        <dl className="patient-banner-facts">
          <div>
            <dt>Age</dt>
            <dd>
              {ageText(patient.birthDate)}
              {patient.birthDate && <span className="muted"> (born {dateText(patient.birthDate)})</span>}
            </dd>
          </div>
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
        ) : active.length === 0 ? (
          <Badge tone="neutral">No allergies recorded</Badge>
        ) : (
          <Badge tone="danger">
            Allergies ({active.length}): {active.map((a) => conceptText(a.code) || 'unnamed').join(', ')}
          </Badge>
        )}
      </div>
    </section>
  );
}
