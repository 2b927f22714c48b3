/** The role table of docs/access.md, rendered from `roles.ts` so the page cannot drift from the code. */
import { ROLES } from './principal.ts';
import { CATEGORIES, ROLE_PERMISSIONS } from './roles.ts';

export function renderRoleTable(): string {
  const header = `| role | ${CATEGORIES.join(' | ')} |`;
  const rule = `| --- | ${CATEGORIES.map(() => '---').join(' | ')} |`;
  const rows = ROLES.map((role) => `| ${role} | ${CATEGORIES.map((c) => ROLE_PERMISSIONS[role][c] ?? '–').join(' | ')} |`);
  return [header, rule, ...rows].join('\n');
}
