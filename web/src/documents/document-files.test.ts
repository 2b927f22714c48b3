import { describe, expect, it } from 'vitest';
import { binaryIdOf, checkDocumentFile, documentReferenceFor, fromBase64, limitsText } from './document-files.ts';

/** The server's default limit (HERON_MAX_BINARY_MB 20), as the page is told it. */
const MAX_DOCUMENT_BYTES = 20 * 1024 * 1024;

const bytes = (...parts: (string | number[])[]) => new Uint8Array(parts.flatMap((p) => (typeof p === 'string' ? [...p].map((c) => c.charCodeAt(0)) : p)));

describe('document files', () => {
  it('says the limits', () => {
    expect(limitsText(MAX_DOCUMENT_BYTES)).toBe('PDF, PNG, JPEG or WebP, up to 20 MB');
  });

  it('accepts a file by its first bytes, whatever its name says', () => {
    const pdf = checkDocumentFile({ name: 'scan.bin', size: 100 }, bytes('%PDF-1.7'), MAX_DOCUMENT_BYTES);
    expect(pdf.ok && pdf.type.contentType).toBe('application/pdf');
    const png = checkDocumentFile({ name: 'x.png', size: 100 }, bytes([0x89], 'PNG', [0x0d, 0x0a, 0x1a, 0x0a]), MAX_DOCUMENT_BYTES);
    expect(png.ok && png.type.contentType).toBe('image/png');
    const jpeg = checkDocumentFile({ name: 'x.jpg', size: 100 }, bytes([0xff, 0xd8, 0xff, 0xe0]), MAX_DOCUMENT_BYTES);
    expect(jpeg.ok && jpeg.type.contentType).toBe('image/jpeg');
    const webp = checkDocumentFile({ name: 'x.webp', size: 100 }, bytes('RIFF', [1, 2, 3, 4], 'WEBPVP8 '), MAX_DOCUMENT_BYTES);
    expect(webp.ok && webp.type.contentType).toBe('image/webp');
  });

  it('refuses other types, empty files and files over the limit, saying why', () => {
    const html = checkDocumentFile({ name: 'letter.pdf', size: 100 }, bytes('<html><script>'), MAX_DOCUMENT_BYTES);
    expect(html).toEqual({ ok: false, message: expect.stringMatching(/“letter.pdf” is not a PDF, PNG, JPEG or WebP file/) });
    expect(checkDocumentFile({ name: 'e.pdf', size: 0 }, bytes(), MAX_DOCUMENT_BYTES)).toEqual({ ok: false, message: '“e.pdf” is empty.' });
    const big = checkDocumentFile({ name: 'big.pdf', size: MAX_DOCUMENT_BYTES + 1 }, bytes('%PDF-1.7'), MAX_DOCUMENT_BYTES);
    expect(big).toEqual({ ok: false, message: expect.stringMatching(/is 20 MB; files can be up to 20 MB/) });
  });

  it('files the Binary in the chart with a DocumentReference', () => {
    const doc = documentReferenceFor({ patientId: 'p1', binaryId: 'b1', contentType: 'application/pdf', fileName: 'letter.pdf', size: 1234, kind: '11488-4', description: ' Cardiology letter ', author: { reference: 'Practitioner/d1' }, now: new Date('2026-12-05T10:00:00Z') });
    expect(doc).toMatchObject({ status: 'current', subject: { reference: 'Patient/p1' }, description: 'Cardiology letter', author: [{ reference: 'Practitioner/d1' }], date: '2026-12-05T10:00:00.000Z' });
    expect(doc.type?.coding?.[0]).toMatchObject({ system: 'http://loinc.org', code: '11488-4' });
    expect(doc.content[0]!.attachment).toEqual({ contentType: 'application/pdf', url: 'Binary/b1', title: 'letter.pdf', size: 1234, creation: '2026-12-05T10:00:00.000Z' });
    expect(binaryIdOf(doc)).toBe('b1');
    expect(binaryIdOf({ ...doc, content: [{ attachment: { url: 'https://x.example/fhir/R4/Binary/b2' } }] })).toBe('b2');
    expect(binaryIdOf({ ...doc, content: [{ attachment: { url: 'https://elsewhere.example/file.pdf' } }] })).toBeUndefined();
  });

  it('decodes base64 of a large file', () => {
    const data = new Uint8Array(200_000).map((_, i) => i % 256);
    expect(fromBase64(Buffer.from(data).toString('base64'))).toEqual(data);
  });
});
