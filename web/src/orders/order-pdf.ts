/**
 * The printable lab requisition and prescription, made in the browser with pdf-lib (only this
 * lazily loaded module imports it): US Letter, the practice, the patient (name, birth date, sex,
 * MRN), who ordered and when, the requisition number, and each item with its code and, for a
 * prescription, the directions in words. Text is set in the PDF standard fonts (Helvetica), whose
 * WinAnsi encoding has no glyph for some characters: those are replaced, never dropped silently.
 */
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';

export interface OrderDocumentItem {
  title: string;
  /** "LOINC 58410-2", "RxNorm 313782". */
  code?: string | undefined;
  /** Further lines: directions, dispense and refills, instructions for the patient. */
  lines: string[];
}

export interface OrderDocument {
  kind: 'requisition' | 'prescription';
  practice: string;
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

const PAGE: [number, number] = [612, 792];
const MARGIN = 54;
const GREY = rgb(0.33, 0.33, 0.33);

/** WinAnsi has these beyond Latin-1; anything else becomes a plain look-alike or "?". */
const WIN_ANSI_EXTRA = new Set('€‚ƒ„…†‡ˆ‰Š‹ŒŽ‘’“”•–—˜™š›œžŸ');
const LOOK_ALIKES: Record<string, string> = { '→': '->', '≤': '<=', '≥': '>=', '≈': '~', '\u2009': ' ', '\u202f': ' ' };

export function winAnsi(text: string): string {
  let out = '';
  for (const ch of text) {
    const code = ch.codePointAt(0)!;
    if ((code >= 0x20 && code <= 0x7e) || (code >= 0xa0 && code <= 0xff) || WIN_ANSI_EXTRA.has(ch)) out += ch;
    else out += LOOK_ALIKES[ch] ?? (code < 0x20 ? ' ' : '?');
  }
  return out;
}

/** Lines of at most `width` points, broken at spaces (a word longer than the line is broken too). */
export function wrap(text: string, font: Pick<PDFFont, 'widthOfTextAtSize'>, size: number, width: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of winAnsi(text).split(/\s+/).filter(Boolean)) {
    const candidate = line ? `${line} ${word}` : word;
    if (font.widthOfTextAtSize(candidate, size) <= width) {
      line = candidate;
      continue;
    }
    if (line) lines.push(line);
    let rest = word;
    while (font.widthOfTextAtSize(rest, size) > width && rest.length > 1) {
      let cut = rest.length - 1;
      while (cut > 1 && font.widthOfTextAtSize(rest.slice(0, cut), size) > width) cut--;
      lines.push(rest.slice(0, cut));
      rest = rest.slice(cut);
    }
    line = rest;
  }
  if (line) lines.push(line);
  return lines;
}

class Writer {
  page: PDFPage;
  y: number;
  constructor(
    readonly doc: PDFDocument,
    readonly font: PDFFont,
    readonly bold: PDFFont,
    readonly footer: string,
  ) {
    this.page = this.newPage();
    this.y = PAGE[1] - MARGIN;
  }

  private newPage(): PDFPage {
    const page = this.doc.addPage(PAGE);
    page.drawText(winAnsi(this.footer), { x: MARGIN, y: MARGIN / 2, size: 8, font: this.font, color: GREY });
    return page;
  }

  text(text: string, options: { size?: number; bold?: boolean; indent?: number; color?: ReturnType<typeof rgb>; gap?: number } = {}): void {
    const size = options.size ?? 11;
    const font = options.bold ? this.bold : this.font;
    const x = MARGIN + (options.indent ?? 0);
    for (const line of wrap(text, font, size, PAGE[0] - MARGIN - x)) {
      if (this.y - size < MARGIN) {
        this.page = this.newPage();
        this.y = PAGE[1] - MARGIN;
      }
      this.y -= size * 1.3;
      this.page.drawText(line, { x, y: this.y, size, font, color: options.color ?? rgb(0, 0, 0) });
    }
    this.y -= options.gap ?? 0;
  }

  rule(): void {
    this.y -= 6;
    this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: PAGE[0] - MARGIN, y: this.y }, thickness: 0.75, color: GREY });
    this.y -= 6;
  }
}

export async function orderPdf(d: OrderDocument): Promise<Uint8Array> {
  const doc = await PDFDocument.create();
  const title = d.kind === 'requisition' ? 'Laboratory requisition' : 'Prescription';
  doc.setTitle(`${title} ${d.reference}: ${d.patient.name}`);
  doc.setAuthor(d.orderer.name);
  doc.setCreator('Heron');
  doc.setProducer('Heron (pdf-lib)');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  const w = new Writer(doc, font, bold, `${title} ${d.reference} · ${d.patient.name}${d.patient.mrn ? ` · MRN ${d.patient.mrn}` : ''} · printed from Heron`);

  w.text(d.practice, { size: 16, bold: true });
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
  return doc.save();
}
