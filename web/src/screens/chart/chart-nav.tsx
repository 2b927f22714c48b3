import { SectionNav } from '../../app/section-nav.tsx';

/** The chart's sections, in the order a clinician reviews a chart; the same on every chart screen. */
const SECTIONS = [
  { path: '', label: 'Chart summary' },
  { path: '/problems', label: 'Problems' },
  { path: '/medications', label: 'Medications' },
  { path: '/allergies', label: 'Allergies' },
  { path: '/immunizations', label: 'Immunizations' },
  { path: '/vitals', label: 'Vitals' },
  { path: '/results', label: 'Results' },
  { path: '/orders', label: 'Orders' },
  { path: '/screening', label: 'Screening' },
  { path: '/documents', label: 'Documents' },
  { path: '/encounters', label: 'Visits' },
  { path: '/notes', label: 'Notes' },
] as const;

/** Links between the chart's screens, under the patient banner: any section is one click from any other. */
export function ChartNav({ patientId }: { patientId: string }) {
  const base = `/patients/${encodeURIComponent(patientId)}`;
  return <SectionNav label="Chart sections" className="chart-nav" links={SECTIONS.map((s) => ({ to: base + s.path, label: s.label }))} />;
}
