/**
 * LOINC: Heron's subset (`code`, `display`: the long common name) and `Loinc.csv` of a LOINC
 * release (quoted CSV; LONG_COMMON_NAME is the display, SHORTNAME and the component other names,
 * CLASS, CLASSTYPE and STATUS properties; DEPRECATED terms are inactive). Parts (LP…) and answers
 * (LA…) in the subset are kinds of their own, left out of the observation value set.
 * @see https://loinc.org/kb/users-guide/loinc-database-structure/
 */
import { parse } from 'csv-parse';
import { CODE_SYSTEMS } from '../code-systems.ts';
import { headerStartsWith, tsvRecords, type ReleaseFormat } from './release-format.ts';

const system = CODE_SYSTEMS.loinc.url;

function kindOf(code: string): string {
  if (code.startsWith('LP')) return 'part';
  if (code.startsWith('LA')) return 'answer';
  return 'observation';
}

export const LOINC_FORMATS: ReleaseFormat[] = [
  {
    name: 'Heron subset (TSV: code, display)',
    matches: (line) => headerStartsWith(line, ['code', 'display']),
    async *read(open) {
      for await (const r of tsvRecords(open())) if (r.code && r.display) yield { system, code: r.code, display: r.display, kind: kindOf(r.code) };
    },
  },
  {
    name: 'LOINC table (Loinc.csv)',
    matches: (line) => /^"?LOINC_NUM"?,/.test(line),
    async *read(open) {
      const records = open().pipe(parse({ columns: true, bom: true, relax_quotes: true, skip_empty_lines: true })) as AsyncIterable<Record<string, string>>;
      for await (const r of records) {
        const code = r.LOINC_NUM;
        const display = r.LONG_COMMON_NAME || r.SHORTNAME || r.COMPONENT;
        if (!code || !display) continue;
        const designations = [...new Set([r.SHORTNAME, r.DisplayName, r.COMPONENT].filter((n): n is string => !!n && n !== display))];
        const properties: Record<string, string> = {};
        for (const [key, column] of [['class', 'CLASS'], ['classType', 'CLASSTYPE'], ['status', 'STATUS'], ['exampleUnits', 'EXAMPLE_UCUM_UNITS']] as const) {
          if (r[column]) properties[key] = r[column];
        }
        yield { system, code, display, kind: 'observation', inactive: r.STATUS === 'DEPRECATED', designations, properties };
      }
    },
  },
];
