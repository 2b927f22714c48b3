/**
 * Generated narrative (`text.div`) for documents Heron composes: XHTML in FHIR's narrative
 * namespace, every value escaped. A document's sections must be readable without their entries
 * (R4 narrative rules; IPS requires it of every section).
 * @see https://hl7.org/fhir/R4/narrative.html
 */
import type { CodeableConcept, Narrative, Quantity } from '@medplum/fhirtypes';

export function escapeXhtml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** A table with a header row; cells are plain text (escaped here). */
export function tableNarrative(headers: readonly string[], rows: readonly (readonly string[])[]): Narrative {
  const head = `<tr>${headers.map((h) => `<th>${escapeXhtml(h)}</th>`).join('')}</tr>`;
  const body = rows.map((row) => `<tr>${row.map((cell) => `<td>${escapeXhtml(cell)}</td>`).join('')}</tr>`).join('');
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><table><thead>${head}</thead><tbody>${body}</tbody></table></div>` };
}

/** One sentence, e.g. why a section is empty. */
export function textNarrative(text: string): Narrative {
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml"><p>${escapeXhtml(text)}</p></div>` };
}

/** What a person calls a coded thing: its text, else the first coding's display, else its code. */
export function conceptText(concept: CodeableConcept | undefined): string {
  if (concept === undefined) return '';
  return concept.text ?? concept.coding?.find((c) => c.display)?.display ?? concept.coding?.[0]?.code ?? '';
}

/** "7.2 %", "120 mm[Hg]" (the unit as written, else its code). */
export function quantityText(quantity: Quantity | undefined): string {
  if (quantity?.value === undefined) return '';
  const unit = quantity.unit ?? quantity.code;
  return unit ? `${quantity.value} ${unit}` : String(quantity.value);
}
