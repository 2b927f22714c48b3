/** UCUM: Heron's list of common units (`code`, `display`), from FHIR's ucum-common value set. */
import { CODE_SYSTEMS } from '../code-systems.ts';
import { headerStartsWith, tsvRecords, type ReleaseFormat } from './release-format.ts';

const system = CODE_SYSTEMS.ucum.url;

export const UCUM_FORMATS: ReleaseFormat[] = [
  {
    name: 'Heron subset (TSV: code, display)',
    matches: (line) => headerStartsWith(line, ['code', 'display']),
    async *read(open) {
      for await (const r of tsvRecords(open())) if (r.code && r.display) yield { system, code: r.code, display: r.display, kind: 'unit' };
    },
  },
];
