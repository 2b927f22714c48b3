/**
 * The printable lab requisition and prescription, made in the browser with pdf-lib (only this
 * lazily loaded module imports it): US Letter, the practice, the patient (name, birth date, sex,
 * MRN), who ordered and when, the requisition number, and each item with its code and, for a
 * prescription, the directions in words (set by `print/pdf-writer.ts`).
 */
import { GREY, newPrint } from '../print/pdf-writer.ts';
import type { Letterhead } from '../practice/practice-settings.ts';

export { winAnsi, wrap } from '../print/pdf-writer.ts';

export interface OrderDocumentItem {
  title: string;
  /** "LOINC 58410-2", "RxNorm 313782". */
  code?: string | undefined;
  /** Further lines: directions, dispense and refills, instructions for the patient. */
  lines: string[];
}

export interface OrderDocument {
  kind: 'requisition' | 'prescription';
  practice: Letterhead;
  patient: { name: string; birthDate?: string | undefined; sex?: string | undefined; mrn?: string | undefined };
  orderer: { name: string; npi?: string | undefined };
  /** When it was ordered, as shown. */
  date: string;
  /** The requisition or prescription number. */
  reference: string;
  priority?: string | undefined;
  note?: string | undefined;
  items: OrderDocumentItem[];
}

export async function orderPdf(d: OrderDocument): Promise<Uint8Array> {
  const title = d.kind === 'requisition' ? 'Laboratory requisition' : 'Prescription';
  const w = await newPrint({
    title: `${title} ${d.reference}: ${d.patient.name}`,
    author: d.orderer.name,
    footer: `${title} ${d.reference} · ${d.patient.name}${d.patient.mrn ? ` · MRN ${d.patient.mrn}` : ''} · printed from Heron`,
  });
  await w.letterhead(d.practice);
  w.text(`${title} · No. ${d.reference}`, { size: 13, bold: true, gap: 4 });
  w.text(`Ordered ${d.date} by ${d.orderer.name}${d.orderer.npi ? ` (NPI ${d.orderer.npi})` : ''}`, { color: GREY });
  if (d.priority && d.priority !== 'routine') w.text(`Priority: ${d.priority.toUpperCase()}`, { bold: true });
  w.rule();
  w.text('Patient', { size: 9, bold: true, color: GREY });
  w.text(d.patient.name, { size: 13, bold: true });
  w.text([d.patient.birthDate && `Born ${d.patient.birthDate}`, d.patient.sex && `Sex ${d.patient.sex}`, d.patient.mrn && `MRN ${d.patient.mrn}`].filter(Boolean).join('   '), { gap: 4 });
  w.rule();
  w.text(d.kind === 'requisition' ? 'Tests ordered' : 'Medication', { size: 9, bold: true, color: GREY });
  d.items.forEach((item, i) => {
    w.text(`${d.items.length > 1 ? `${i + 1}. ` : ''}${item.title}`, { size: 12, bold: true, gap: 0 });
    if (item.code) w.text(item.code, { size: 9, indent: 14, color: GREY });
    for (const line of item.lines) w.text(line, { indent: 14 });
    w.y -= 6;
  });
  if (d.note) {
    w.rule();
    w.text('Note', { size: 9, bold: true, color: GREY });
    w.text(d.note);
  }
  w.rule();
  w.text(`Electronically signed by ${d.orderer.name} on ${d.date}.`, { size: 10 });
  if (d.kind === 'prescription') w.text('Substitution permitted unless the prescriber writes otherwise.', { size: 9, color: GREY });
  return w.doc.save();
}
