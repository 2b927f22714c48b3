import { PDFDocument } from 'pdf-lib';
import { describe, expect, it } from 'vitest';
import { orderPdf, winAnsi, wrap, type OrderDocument } from './order-pdf.ts';

const font = { widthOfTextAtSize: (text: string, size: number) => text.length * size * 0.5 };

describe('order PDFs', () => {
  it('keeps what the standard fonts can set and replaces the rest', () => {
    expect(winAnsi('Dispense 40 tablets · 5 days – “now” × 2 é')).toBe('Dispense 40 tablets · 5 days – “now” × 2 é');
    expect(winAnsi('≤ 10 → 2 ✓')).toBe('<= 10 -> 2 ?');
  });

  it('wraps at spaces within the width, and breaks a word longer than a line', () => {
    expect(wrap('one two three four', font, 10, 50)).toEqual(['one two', 'three four']);
    expect(wrap('abcdefghijklmnop', font, 10, 30)).toEqual(['abcdef', 'ghijkl', 'mnop']);
  });

  it('makes a requisition: a PDF with the patient and every item, over pages when long', async () => {
    const doc: OrderDocument = {
      kind: 'requisition',
      practice: { name: 'Demo Practice', address: '12 River Road, Springfield, IL 62701', phone: '(217) 555-0100' },
      patient: { name: 'Okonkwo, Ada', birthDate: '9 Apr 1961', sex: 'female', mrn: 'T-ORD-1' },
      orderer: { name: 'Dr. Dana Whitfield', npi: '1234567893' },
      date: '5 Dec 2026, 10:00',
      reference: 'R-20261205-ABCD',
      items: Array.from({ length: 40 }, (_, i) => ({ title: `Test ${i + 1}`, code: 'LOINC 58410-2', lines: ['Fast for 9 to 12 hours before the blood draw.'] })),
    };
    const bytes = await orderPdf(doc);
    expect(new TextDecoder('latin1').decode(bytes.subarray(0, 5))).toBe('%PDF-');
    const read = await PDFDocument.load(bytes);
    expect(read.getPageCount()).toBeGreaterThan(1);
    expect(read.getTitle()).toBe('Laboratory requisition R-20261205-ABCD: Okonkwo, Ada');
  });
});
