/**
 * `heron audit verify [--practice P]`: recomputes the hash chain of one practice's audit log (or
 * every practice's, and the server-level chain of failed authentications that name no practice)
 * and reports the first broken link. Exit 1 when any chain is broken, so a scheduled job or
 * monitoring can alert on it.
 */
import { SYSTEM_AUDIT_CHAIN } from '../../store/audit-log.ts';
import type { FhirStore } from '../../store/store.ts';
import { resolvePractice } from '../practice-ref.ts';
import type { Terminal } from '../terminal.ts';

export async function auditVerifyCommand(deps: { store: FhirStore; terminal: Terminal }, options: { practice?: string; json?: boolean }): Promise<number> {
  const practices = options.practice === undefined ? await deps.store.admin.listPractices() : [await resolvePractice(deps.store, options.practice)];
  const results = [];
  for (const practice of practices) {
    const result = await deps.store.audit.verify(practice.id);
    results.push({ practice: practice.id, name: practice.name, ...result });
    if (options.json) continue;
    if (result.broken) {
      deps.terminal.out(`BROKEN  ${practice.name} (${practice.id}): entry ${result.broken.seq}: ${result.broken.problem}; ${result.checked} entries before it are intact`);
    } else {
      deps.terminal.out(`ok      ${practice.name} (${practice.id}): ${result.checked} entries, chain intact`);
    }
  }
  const system = options.practice === undefined ? await deps.store.audit.verify(SYSTEM_AUDIT_CHAIN) : undefined;
  if (system !== undefined && !options.json) {
    if (system.broken) deps.terminal.out(`BROKEN  server (no practice): entry ${system.broken.seq}: ${system.broken.problem}; ${system.checked} entries before it are intact`);
    else deps.terminal.out(`ok      server (no practice): ${system.checked} entries, chain intact`);
  }
  if (options.json) deps.terminal.out(JSON.stringify({ practices: results, ...(system !== undefined ? { system } : {}) }));
  return results.some((r) => r.broken) || system?.broken ? 1 : 0;
}
