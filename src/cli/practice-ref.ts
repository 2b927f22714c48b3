/**
 * Resolves the `--practice` argument, which accepts a practice id or its name, because people
 * remember names and scripts keep ids.
 */
import type { FhirStore, Practice } from '../store/store.ts';

/** Thrown when `--practice` matches nothing; the command reports it and exits with 1. */
export class PracticeNotFound extends Error {
  constructor(ref: string) {
    super(`No practice has the id or name "${ref}". Create one with: heron practice create "NAME"`);
    this.name = 'PracticeNotFound';
  }
}

/** Looks the reference up as an id first (ids are unique), then as a name. */
export async function resolvePractice(store: FhirStore, ref: string): Promise<Practice> {
  const practice = (await store.admin.getPractice(ref)) ?? (await store.admin.findPracticeByName(ref));
  if (!practice) throw new PracticeNotFound(ref);
  return practice;
}
