/**
 * The patient's record as files they keep: the International Patient Summary as a FHIR document
 * (.json) and as a readable PDF, and everything (`$everything`, every page followed) as one Bundle.
 */
import type { Bundle, BundleEntry } from '@medplum/fhirtypes';
import type { PortalApi } from '../portal-api.ts';
import { summaryModel } from '../../../record-sharing/summary-model.ts';

export function summaryDocument(api: PortalApi, patientId: string): Promise<Bundle> {
  return api.get<Bundle>(`Patient/${encodeURIComponent(patientId)}/$summary`);
}

/** Every page of `$everything` as one collection Bundle (a page's `next` link is the server's own URL). */
export async function everything(api: PortalApi, patientId: string): Promise<Bundle> {
  const entries: BundleEntry[] = [];
  let page = await api.get<Bundle>(`Patient/${encodeURIComponent(patientId)}/$everything?_count=200`);
  for (let pages = 1; ; pages++) {
    entries.push(...(page.entry ?? []).map(({ fullUrl, resource }) => ({ ...(fullUrl ? { fullUrl } : {}), ...(resource ? { resource } : {}) })));
    const next = page.link?.find((l) => l.relation === 'next')?.url;
    // A bound, so a server that keeps answering `next` cannot keep the browser busy for ever.
    if (!next || pages >= 500) break;
    page = await api.getUrl<Bundle>(next);
  }
  return { resourceType: 'Bundle', type: 'collection', timestamp: new Date().toISOString(), total: entries.length, entry: entries };
}

export async function summaryPdf(document: Bundle): Promise<Uint8Array> {
  const { newPrint, GREY } = await import('../../../print/pdf-writer.ts');
  const m = summaryModel(document);
  const w = await newPrint({ title: m.title, author: 'Heron', footer: `${m.title} · ${m.patientName}` });
  w.text(m.title, { size: 16, bold: true, gap: 4 });
  w.text([m.patientName, ...m.patientFacts].join(' · '), { size: 12 });
  if (m.made) w.text(`Made ${new Date(m.made).toLocaleString()}`, { color: GREY, size: 9, gap: 6 });
  for (const section of m.sections) {
    w.rule();
    w.text(section.title, { size: 13, bold: true, gap: 4 });
    for (const item of section.items) w.text(item, { indent: 12, size: 10 });
  }
  return w.doc.save();
}

/** Saves bytes the page made through the browser's download, under a name that says what they are. */
export function saveFile(data: string | Uint8Array, type: string, filename: string): void {
  const url = URL.createObjectURL(new Blob([typeof data === 'string' ? data : new Uint8Array(data)], { type }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.click();
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
