/**
 * RxNorm: Heron's subset (`rxcui`, `name`, `tty`) and `RXNCONSO.RRF` of a monthly release or of
 * the Current Prescribable Content. From RXNCONSO only RxNorm's own names (SAB=RXNORM, not
 * suppressed) are read: per RXCUI, the name of the most specific term type is the display and
 * that type the kind; the other names (synonyms, tall-man, prescribable names) are other names.
 * @see https://www.nlm.nih.gov/research/umls/rxnorm/docs/techdoc.html
 */
import type { TermConcept } from '../../../store/terminology.ts';
import { CODE_SYSTEMS } from '../code-systems.ts';
import { headerStartsWith, linesOf, tsvRecords, type ReleaseFormat } from './release-format.ts';

const system = CODE_SYSTEMS.rxnorm.url;
/** Which name of an RXCUI is its display, best first; types not listed come after these. */
const TTY_ORDER = ['SCD', 'SBD', 'GPCK', 'BPCK', 'IN', 'PIN', 'MIN', 'SCDF', 'SBDF', 'SCDG', 'SBDG', 'SCDC', 'SBDC', 'BN', 'DF', 'DFG', 'PSN', 'SY', 'TMSY', 'ET'];
const RRF_LINE = /^\d+\|[A-Z]{3}\|/;

function ttyRank(tty: string): number {
  const i = TTY_ORDER.indexOf(tty);
  return i === -1 ? TTY_ORDER.length : i;
}

export const RXNORM_FORMATS: ReleaseFormat[] = [
  {
    name: 'Heron subset (TSV: rxcui, name, tty)',
    matches: (line) => headerStartsWith(line, ['rxcui', 'name']),
    async *read(open) {
      for await (const r of tsvRecords(open())) {
        if (!r.rxcui || !r.name) continue;
        // The subset's type is guessed from the name; "SCDF/other" are dose-form groups.
        const tty = r.tty === 'SCDF/other' ? 'SCDF' : r.tty || undefined;
        yield { system, code: r.rxcui, display: r.name, kind: tty, properties: tty ? { tty } : undefined };
      }
    },
  },
  {
    name: 'RxNorm RXNCONSO.RRF',
    matches: (line) => RRF_LINE.test(line),
    async *read(open) {
      const names = new Map<string, { tty: string; str: string }[]>();
      for await (const line of linesOf(open())) {
        // RXCUI|LAT|TS|LUI|STT|SUI|ISPREF|RXAUI|SAUI|SCUI|SDUI|SAB|TTY|CODE|STR|SRL|SUPPRESS|CVF|
        const f = line.split('|');
        if (f[11] !== 'RXNORM' || f[1] !== 'ENG' || (f[16] !== 'N' && f[16] !== '')) continue;
        const list = names.get(f[0]);
        if (list === undefined) names.set(f[0], [{ tty: f[12], str: f[14] }]);
        else list.push({ tty: f[12], str: f[14] });
      }
      for (const [rxcui, list] of names) yield rrfConcept(rxcui, list);
    },
  },
];

function rrfConcept(rxcui: string, names: { tty: string; str: string }[]): TermConcept {
  const sorted = [...names].sort((a, b) => ttyRank(a.tty) - ttyRank(b.tty));
  const [best] = sorted;
  const designations = [...new Set(sorted.slice(1).map((n) => n.str))].filter((s) => s !== best.str);
  return { system, code: rxcui, display: best.str, kind: best.tty, designations, properties: { tty: best.tty } };
}
