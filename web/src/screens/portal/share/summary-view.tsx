import type { Bundle } from '@medplum/fhirtypes';
import { dateText } from '../../../fhir-format/values.ts';
import { summaryModel } from '../../../record-sharing/summary-model.ts';

/** A patient summary (IPS document) to read: the patient, then each section as a list. */
export function SummaryView({ document }: { document: Bundle }) {
  const m = summaryModel(document);
  return (
    <article className="portal-summary" aria-labelledby="summary-patient">
      <header>
        <h2 id="summary-patient">{m.patientName}</h2>
        <p className="muted">
          {m.patientFacts.join(' · ')}
          {m.made ? ` · summary made ${dateText(m.made, true)}` : ''}
        </p>
      </header>
      {m.sections.map((s) => (
        <section key={s.title} className="portal-card" aria-label={s.title}>
          <h3>{s.title}</h3>
          <ul>
            {s.items.map((item, i) => (
              <li key={i}>{item}</li>
            ))}
          </ul>
        </section>
      ))}
    </article>
  );
}
