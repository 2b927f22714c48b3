/**
 * CVX: Heron's subset (`cvx`, `short_description`, CDSi antigens and vaccine groups) and CDC's
 * `cvx.txt` (pipe-separated: code, short description, full vaccine name, notes, status, internal
 * id, non-vaccine flag, last updated). Inactive vaccines stay in the value set: a patient's
 * history records vaccines no longer made; the status is a property.
 * @see https://www2a.cdc.gov/vaccines/iis/iisstandards/vaccines.asp?rpt=cvx
 */
import { CODE_SYSTEMS } from '../code-systems.ts';
import { headerStartsWith, linesOf, tsvRecords, type ReleaseFormat } from './release-format.ts';

const system = CODE_SYSTEMS.cvx.url;

export const CVX_FORMATS: ReleaseFormat[] = [
  {
    name: 'Heron subset (TSV: cvx, short_description, …)',
    matches: (line) => headerStartsWith(line, ['cvx', 'short_description']),
    async *read(open) {
      for await (const r of tsvRecords(open())) {
        if (!r.cvx || !r.short_description) continue;
        const properties: Record<string, string> = {};
        if (r.cdsi_antigens) properties.antigens = r.cdsi_antigens;
        if (r.cdsi_vaccine_groups) properties.vaccineGroups = r.cdsi_vaccine_groups;
        yield { system, code: r.cvx, display: r.short_description, kind: 'vaccine', properties };
      }
    },
  },
  {
    name: 'CDC cvx.txt (pipe-separated)',
    matches: (line) => /^\s*\d{1,3}\s*\|/.test(line),
    async *read(open) {
      for await (const line of linesOf(open())) {
        const f = line.split('|').map((s) => s.trim());
        if (!/^\d{1,3}$/.test(f[0] ?? '') || !f[1]) continue;
        const code = f[0].padStart(2, '0');
        const properties: Record<string, string> = {};
        if (f[4]) properties.status = f[4];
        const designations = f[2] && f[2] !== f[1] ? [f[2]] : undefined;
        yield { system, code, display: f[1], kind: 'vaccine', designations, properties };
      }
    },
  },
];
