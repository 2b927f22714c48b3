/**
 * ICD-10-CM: Heron's subset (`code`, `display`) and CDC's files: "Code Descriptions in Tabular
 * Order" (`icd10cm-order-YYYY.txt`: order number, code, 0 header / 1 billable, short and long
 * description in fixed columns) and the billable-codes list (`icd10cm-codes-YYYY.txt`: code, then
 * the description).
 * @see https://www.cdc.gov/nchs/icd/icd-10-cm/files.html
 */
import { CODE_SYSTEMS } from '../code-systems.ts';
import { headerStartsWith, linesOf, tsvRecords, type ReleaseFormat } from './release-format.ts';

const system = CODE_SYSTEMS['icd-10-cm'].url;
const ORDER_LINE = /^(\d{5}) ([A-Z0-9]{3,7}) *([01]) (.{60}) (.+)$/;
const CODES_LINE = /^([A-Z][0-9A-Z]{2,6})\s+(\S.*)$/;

/** `E119` → `E11.9`: CDC's files leave out the dot that FHIR's ICD-10-CM codes have. */
export function dottedIcdCode(code: string): string {
  return code.length > 3 && !code.includes('.') ? `${code.slice(0, 3)}.${code.slice(3)}` : code;
}

export const ICD10CM_FORMATS: ReleaseFormat[] = [
  {
    name: 'Heron subset (TSV: code, display)',
    matches: (line) => headerStartsWith(line, ['code', 'display']),
    async *read(open) {
      for await (const r of tsvRecords(open())) if (r.code && r.display) yield { system, code: r.code, display: r.display, kind: 'billable' };
    },
  },
  {
    name: 'CDC ICD-10-CM order file (icd10cm-order-YYYY.txt)',
    matches: (line) => ORDER_LINE.test(line),
    async *read(open) {
      for await (const line of linesOf(open())) {
        const m = ORDER_LINE.exec(line);
        if (m === null) continue;
        const [, , code, billable, short, long] = m;
        const display = long.trim();
        const designations = short.trim() !== display ? [short.trim()] : undefined;
        yield { system, code: dottedIcdCode(code), display, kind: billable === '1' ? 'billable' : 'header', designations };
      }
    },
  },
  {
    name: 'CDC ICD-10-CM codes file (icd10cm-codes-YYYY.txt)',
    matches: (line) => CODES_LINE.test(line) && !line.includes('\t'),
    async *read(open) {
      for await (const line of linesOf(open())) {
        const m = CODES_LINE.exec(line);
        if (m !== null) yield { system, code: dottedIcdCode(m[1]), display: m[2].trim(), kind: 'billable' };
      }
    },
  },
];
