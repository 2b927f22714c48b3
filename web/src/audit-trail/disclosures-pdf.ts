/** The accounting of disclosures printed (pdf-lib through `print/pdf-writer.ts`, loaded only when asked for). */
import { rgb } from 'pdf-lib';
import { GREY, newPrint } from '../print/pdf-writer.ts';
import type { Accounting } from './disclosures.ts';

/** Dark red (7:1 on white): emergency accesses also say so in words, never by colour alone. */
const EMERGENCY = rgb(0.6, 0, 0);

export async function disclosuresPdf(a: Accounting, when: (iso: string) => string): Promise<Uint8Array> {
  const who = `${a.patientName}${a.mrn ? ` (MRN ${a.mrn})` : ''}`;
  const w = await newPrint({ title: `Accounting of disclosures: ${a.patientName}`, author: a.practice, footer: `Accounting of disclosures · ${who} · ${a.practice}` });
  w.text(a.practice, { size: 16, bold: true });
  w.text('Accounting of disclosures', { size: 13, bold: true, gap: 4 });
  w.text(`For ${who}${a.birthDate ? `, born ${a.birthDate}` : ''}`);
  w.text(`Period: ${a.period}. Printed ${when(new Date().toISOString())}.`, { color: GREY, gap: 4 });
  const accesses = `${a.lines.length} recorded ${a.lines.length === 1 ? 'access' : 'accesses'} by ${a.people} ${a.people === 1 ? 'person or system' : 'people or systems'}`;
  w.text(`${accesses}; ${a.emergencies === 0 ? 'no emergency access' : `${a.emergencies} emergency ${a.emergencies === 1 ? 'access' : 'accesses'} (marked EMERGENCY ACCESS below)`}.`);
  if (a.truncated) w.text(`Only the first ${a.lines.length} entries are listed; narrow the period to see the rest.`, { bold: true });
  w.text('Every access to the record is recorded by Heron in a tamper-evident audit trail; this lists each one with who, when, what and why.', { color: GREY, size: 9 });
  w.rule();
  if (a.lines.length === 0) w.text('No access to this record was recorded in this period.');
  for (const line of a.lines) {
    const color = line.emergency ? EMERGENCY : undefined;
    w.text(`${line.emergency ? 'EMERGENCY ACCESS · ' : ''}${when(line.when)} · ${line.who} (${line.role})`, { bold: true, size: 10, ...(color ? { color } : {}) });
    w.text(`${line.what}${line.refused ? ' (refused or failed)' : ''}`, { indent: 12, size: 10 });
    w.text(`Why: ${line.why}`, { indent: 12, size: 10, gap: 3, ...(color ? { color } : {}) });
  }
  return w.doc.save();
}
