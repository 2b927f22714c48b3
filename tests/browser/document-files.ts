/** Files for the documents screen's browser tests: a real (small) PDF, a PNG, and files it must refuse. */

/** A one-page PDF saying "Cardiology letter" (valid xref offsets, so viewers open it). */
export function letterPdf(): Buffer {
  const objects = [
    '<< /Type /Catalog /Pages 2 0 R >>',
    '<< /Type /Pages /Kids [3 0 R] /Count 1 >>',
    '<< /Type /Page /Parent 2 0 R /MediaBox [0 0 612 792] /Contents 4 0 R /Resources << /Font << /F1 5 0 R >> >> >>',
    stream('BT /F1 24 Tf 72 700 Td (Cardiology letter) Tj 0 -36 Td /F1 14 Tf (Echo: normal ejection fraction, 60 %.) Tj ET'),
    '<< /Type /Font /Subtype /Type1 /BaseFont /Helvetica >>',
  ];
  let body = '%PDF-1.4\n';
  const offsets: number[] = [];
  objects.forEach((o, i) => {
    offsets.push(body.length);
    body += `${i + 1} 0 obj\n${o}\nendobj\n`;
  });
  const xref = body.length;
  body += `xref\n0 ${objects.length + 1}\n0000000000 65535 f \n${offsets.map((o) => `${String(o).padStart(10, '0')} 00000 n \n`).join('')}`;
  body += `trailer\n<< /Size ${objects.length + 1} /Root 1 0 R >>\nstartxref\n${xref}\n%%EOF\n`;
  return Buffer.from(body, 'latin1');
}

function stream(content: string): string {
  return `<< /Length ${content.length} >>\nstream\n${content}\nendstream`;
}

/** A 160×100 checkerboard PNG. */
export function checkerPng(): Buffer {
  return Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAKAAAABkCAIAAACO1KzYAAABDklEQVR42u3csQkAIAxFwfQO6RCO7ASCA2SHFCnCgf2Hd20w1j7ld98vP7s9uyE0YKEBCw0YMGC7gO0CtgsYsNCAhQYsNGC7gO0CtgsYsNCAhQYsNGDArcBizd4FDFhowEIDBgzYLmC7gO0CBiw0YKEBCw3YLmC7gO0CBiw0YKEBCw0YcC+wWK4qhQYsNGDAgO0CtgvYLmDAQgMWGrDQgO0CtgvYLmDAQgMWGrDQgAEDtuufLLuuKu0CBiw0YKEBCw3YLmC7gO0CBiw0YKEBCw3YLmC7gO0CBiw0YKEBC+2fLEiuKu0CtgvYLmDAQgMWGrDQgO0CtgvYLmDAQgMWGrDQgAEDtgvYLmDAQo/eTVky6uDoeF/XAAAAAElFTkSuQmCC', 'base64');
}

/** HTML with a script, named as a PDF: refused by its content. */
export function htmlNamedPdf(): Buffer {
  return Buffer.from('<html><body><script>alert(1)</script></body></html>');
}

/** A PDF over the 20 MB limit. */
export function hugePdf(): Buffer {
  const bytes = Buffer.alloc(21 * 1024 * 1024, 0x20);
  bytes.write('%PDF-1.4\n', 0, 'latin1');
  return bytes;
}
