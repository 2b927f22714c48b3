/**
 * Printed pages made in the browser with pdf-lib (modules that import this are loaded lazily):
 * US Letter, the PDF standard fonts (Helvetica), a footer on every page saying what it is and
 * whose, and text that wraps and flows onto new pages. The standard fonts' WinAnsi encoding has
 * no glyph for some characters: those are replaced, never dropped silently.
 */
import { PDFDocument, StandardFonts, rgb, type PDFFont, type PDFPage } from 'pdf-lib';
import type { Letterhead } from '../practice/practice-settings.ts';

const PAGE: [number, number] = [612, 792];
const MARGIN = 54;
/** The largest a logo is drawn, in points (about 2 by 0.7 inches). */
const LOGO_BOX: [number, number] = [144, 48];
export const GREY = rgb(0.33, 0.33, 0.33);

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

export class Writer {
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

  /** The practice at the top of a printout (its settings): logo, name, then address and phone. */
  async letterhead(l: Letterhead): Promise<void> {
    if (l.logo) {
      try {
        const bytes = Uint8Array.from(atob(l.logo.data), (c) => c.charCodeAt(0));
        const image = l.logo.contentType === 'image/png' ? await this.doc.embedPng(bytes) : await this.doc.embedJpg(bytes);
        const { width, height } = image.scaleToFit(LOGO_BOX[0], LOGO_BOX[1]);
        this.y -= height;
        this.page.drawImage(image, { x: MARGIN, y: this.y, width, height });
        this.y -= 4;
      } catch {
        // A picture pdf-lib cannot read (the server checks type and size, not every byte) must not stop the printout.
      }
    }
    this.text(l.name, { size: 16, bold: true });
    const contact = [l.address, l.phone && `Phone ${l.phone}`].filter(Boolean).join(' · ');
    if (contact) this.text(contact, { size: 9, color: GREY, gap: 2 });
  }

  rule(): void {
    this.y -= 6;
    this.page.drawLine({ start: { x: MARGIN, y: this.y }, end: { x: PAGE[0] - MARGIN, y: this.y }, thickness: 0.75, color: GREY });
    this.y -= 6;
  }
}


/** A new printed document: its metadata, the two fonts, and a writer on its first page. */
export async function newPrint(meta: { title: string; author: string; footer: string }): Promise<Writer> {
  const doc = await PDFDocument.create();
  doc.setTitle(meta.title);
  doc.setAuthor(meta.author);
  doc.setCreator('Heron');
  doc.setProducer('Heron (pdf-lib)');
  const font = await doc.embedFont(StandardFonts.Helvetica);
  const bold = await doc.embedFont(StandardFonts.HelveticaBold);
  return new Writer(doc, font, bold, meta.footer);
}
