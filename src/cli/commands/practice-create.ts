/**
 * `heron practice create NAME`: creates a practice (tenant) and prints its id, so that an
 * administrator can then register clients and import data for it.
 *
 * `heron practice load-content P`: adds the starting content (screening questionnaires, order
 * catalogue: `practice-content.ts`) to a practice, missing resources only, so the practice's own
 * edits stay. It is a step of its own rather than part of `create` so that a new practice's first
 * audit entries stay its creation; the demo practice gets it on every start.
 */
import { createPractice } from '../../domain/practices/create-practice.ts';
import type { FhirStore } from '../../store/store.ts';
import type { Terminal } from '../terminal.ts';
import { recordCliChange } from '../audit-change.ts';
import { storeAuditSink } from '../../domain/audit/audit-sink.ts';
import { systemCtx } from '../../domain/context.ts';
import { ensurePracticeContent, ensurePracticeOrganization, PRACTICE_CONTENT } from '../practice-content.ts';
import { resolvePractice } from '../practice-ref.ts';

export interface PracticeCreateDeps {
  store: FhirStore;
  terminal: Terminal;
}

export interface PracticeCreateOptions {
  name: string;
  /** Print `{"id": …}` for scripts instead of a sentence. */
  json?: boolean;
}

export async function practiceCreateCommand(deps: PracticeCreateDeps, options: PracticeCreateOptions): Promise<number> {
  const practice = await createPractice(deps.store, options.name);
  // The first entry of the practice's audit chain.
  await recordCliChange(deps.store, { tenant: practice.id, action: 'admin-practice-create', entities: [`Practice/${practice.id}`], detail: { name: practice.name } });
  await ensurePracticeOrganization(systemCtx(deps.store, practice.id, storeAuditSink(deps.store.audit)), practice);
  if (options.json) deps.terminal.out(JSON.stringify({ id: practice.id }));
  else deps.terminal.out(`Created practice "${practice.name}" with id ${practice.id}`);
  return 0;
}

export async function practiceLoadContentCommand(deps: PracticeCreateDeps, options: { practice: string; json?: boolean }): Promise<number> {
  const practice = await resolvePractice(deps.store, options.practice);
  const ctx = systemCtx(deps.store, practice.id, storeAuditSink(deps.store.audit));
  const created = await ensurePracticeContent(ctx);
  await ensurePracticeOrganization(ctx, practice);
  if (options.json) deps.terminal.out(JSON.stringify({ id: practice.id, created }));
  else deps.terminal.out(`Practice "${practice.name}": added ${created} of the ${PRACTICE_CONTENT.length} questionnaires and order catalogue entries (the others were there already).`);
  return 0;
}
