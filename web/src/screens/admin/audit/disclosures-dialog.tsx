import type { AuditEvent, Patient } from '@medplum/fhirtypes';
import { useQuery } from '@tanstack/react-query';
import { useUser } from '../../../auth/auth-context.tsx';
import { useFhir } from '../../../fhir/fhir-context.tsx';
import { matches } from '../../../fhir/queries.ts';
import { familyFirst, mrn } from '../../../fhir-format/patient.ts';
import { dateText } from '../../../fhir-format/values.ts';
import { auditEntryView, type AuditEntryView } from '../../../audit-trail/audit-entry.ts';
import { cursorOf, periodText, searchOf, type AuditFilters } from '../../../audit-trail/audit-filters.ts';
import { accounting } from '../../../audit-trail/disclosures.ts';
import { PrintDialog } from '../../print/print-dialog.tsx';

/** Entries a printout lists at most (ten report pages); a longer period is narrowed first. */
const MAX_ENTRIES = 10_000;
const PAGE = 1000;

/**
 * The patient's accounting of disclosures for the period of the filters: every access to their
 * record (the `patient=` report, oldest first; the other filters do not apply), who by name and
 * role, when, what and why, emergency accesses set apart, the practice's name on top. Shown in the
 * browser's PDF viewer, where it prints; it is not filed to the chart (administrators do not write
 * to charts, and the request for it is itself in the trail).
 */
export function DisclosuresDialog({ patient, filters, names, onClose }: { patient: Patient; filters: AuditFilters; names: ReadonlyMap<string, string>; onClose: () => void }) {
  const fhir = useFhir();
  const user = useUser();
  const scope: AuditFilters = { patient: patient.id, what: 'any', outcome: 'any', sort: 'oldest', ...(filters.from ? { from: filters.from } : {}), ...(filters.to ? { to: filters.to } : {}) };
  const pdf = useQuery({
    queryKey: ['disclosures', patient.id, filters.from, filters.to],
    staleTime: Infinity,
    queryFn: async ({ signal }) => {
      const entries: AuditEntryView[] = [];
      let cursor: string | undefined;
      do {
        const params = searchOf(scope);
        params.set('_count', String(PAGE));
        if (cursor) params.set('_cursor', cursor);
        const page = await fhir.search<AuditEvent>('AuditEvent', params, signal);
        entries.push(...matches(page).map(auditEntryView));
        cursor = cursorOf(page.link?.find((l) => l.relation === 'next')?.url);
      } while (cursor !== undefined && entries.length < MAX_ENTRIES);
      const { disclosuresPdf } = await import('../../../audit-trail/disclosures-pdf.ts');
      const model = accounting({
        practice: user.practice,
        patientName: familyFirst(patient.name),
        ...(mrn(patient.identifier) ? { mrn: mrn(patient.identifier) } : {}),
        ...(patient.birthDate ? { birthDate: dateText(patient.birthDate) } : {}),
        period: periodText(filters),
        entries: entries.slice(0, MAX_ENTRIES),
        names,
        truncated: cursor !== undefined,
      });
      const bytes = await disclosuresPdf(model, (iso) => dateText(iso, true));
      return new Blob([bytes as Uint8Array<ArrayBuffer>], { type: 'application/pdf' });
    },
  });
  return <PrintDialog title="Accounting of disclosures" patient={patient} pdf={pdf} onClose={onClose} />;
}
