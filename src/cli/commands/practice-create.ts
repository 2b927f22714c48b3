/**
 * `heron practice create NAME`: creates a practice (tenant) and prints its id, so that an
 * administrator can then register clients and import data for it.
 */
import { createPractice } from '../../domain/practices/create-practice.ts';
import type { FhirStore } from '../../store/store.ts';
import type { Terminal } from '../terminal.ts';
import { recordCliChange } from '../audit-change.ts';

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
  if (options.json) deps.terminal.out(JSON.stringify({ id: practice.id }));
  else deps.terminal.out(`Created practice "${practice.name}" with id ${practice.id}`);
  return 0;
}
