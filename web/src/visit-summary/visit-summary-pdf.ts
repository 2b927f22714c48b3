/** The after-visit summary printed (pdf-lib through `print/pdf-writer.ts`, loaded only when asked for). */
import { GREY, newPrint } from '../print/pdf-writer.ts';
import type { Letterhead } from '../practice/practice-settings.ts';
import type { VisitSummary } from './visit-summary.ts';

export async function visitSummaryPdf(s: VisitSummary, letterhead: Letterhead): Promise<Uint8Array> {
  const w = await newPrint({ title: `After-visit summary: ${s.patientName}`, author: s.practice, footer: `After-visit summary · ${s.patientName}${s.mrn ? ` · MRN ${s.mrn}` : ''} · ${s.practice}` });
  await w.letterhead(letterhead);
  w.text('After-visit summary', { size: 13, bold: true, gap: 4 });
  w.text(`For ${s.patientName}${s.mrn ? ` (MRN ${s.mrn})` : ''}`, { color: GREY });
  w.text(s.title, { size: 12, bold: true, gap: 2 });
  for (const section of s.sections) {
    w.rule();
    w.text(section.heading, { size: 12, bold: true, gap: 2 });
    for (const line of section.lines) w.text(line, { indent: 8 });
  }
  w.rule();
  w.text(s.closing, { size: 11, bold: true });
  return w.doc.save();
}
