/**
 * SNOMED CT: Heron's Global Patient Set subset (`code`, `term`, `semantic_tag`) and a release's
 * RF2 description file (`sct2_Description_Snapshot-en_*.txt`): each active concept's fully
 * specified name, without its semantic tag, is the display and the tag its kind; its active
 * synonyms are other names. (Which synonym a country prefers needs its language reference set,
 * which Heron does not read.)
 * @see https://confluence.ihtsdotools.org/display/DOCRELFMT/4.2.2+Description+File+Specification
 */
import type { TermConcept } from '../../../store/terminology.ts';
import { CODE_SYSTEMS } from '../code-systems.ts';
import { headerStartsWith, linesOf, tsvRecords, type ReleaseFormat } from './release-format.ts';

const system = CODE_SYSTEMS.snomed.url;
const FSN = '900000000000003001';
const SYNONYM = '900000000000013009';
const SEMANTIC_TAG = /^(.*\S)\s*\(([^()]+)\)$/;

export const SNOMED_FORMATS: ReleaseFormat[] = [
  {
    name: 'Heron subset (TSV: code, term, semantic_tag)',
    matches: (line) => headerStartsWith(line, ['code', 'term', 'semantic_tag']),
    async *read(open) {
      for await (const r of tsvRecords(open())) {
        if (r.code && r.term) yield { system, code: r.code, display: r.term, kind: r.semantic_tag || undefined, properties: r.semantic_tag ? { semanticTag: r.semantic_tag } : undefined };
      }
    },
  },
  {
    name: 'SNOMED CT RF2 description file (sct2_Description_*.txt)',
    matches: (line) => headerStartsWith(line, ['id', 'effectivetime', 'active', 'moduleid', 'conceptid', 'languagecode', 'typeid', 'term']),
    async *read(open) {
      // A snapshot lists a concept's descriptions anywhere in the file: gather, then emit.
      const concepts = new Map<string, { fsn?: string; synonyms: string[] }>();
      let header = true;
      for await (const line of linesOf(open())) {
        if (header) {
          header = false;
          continue;
        }
        const f = line.split('\t');
        if (f[2] !== '1') continue;
        const entry = concepts.get(f[4]) ?? { synonyms: [] };
        if (f[6] === FSN) entry.fsn = f[7];
        else if (f[6] === SYNONYM) entry.synonyms.push(f[7]);
        concepts.set(f[4], entry);
      }
      for (const [code, entry] of concepts) {
        const concept = rf2Concept(code, entry.fsn, entry.synonyms);
        if (concept !== undefined) yield concept;
      }
    },
  },
];

function rf2Concept(code: string, fsn: string | undefined, synonyms: string[]): TermConcept | undefined {
  if (fsn === undefined) return synonyms.length === 0 ? undefined : { system, code, display: synonyms[0], designations: synonyms.slice(1) };
  const m = SEMANTIC_TAG.exec(fsn);
  const display = m ? m[1] : fsn;
  const tag = m?.[2];
  const designations = synonyms.filter((s) => s !== display);
  return { system, code, display, kind: tag, designations, properties: tag ? { semanticTag: tag } : undefined };
}
