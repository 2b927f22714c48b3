/**
 * Creating a practice (tenant): the unit every clinical record, client and user belongs to.
 */
import { randomInt } from 'node:crypto';
import { errors } from '../../fhir/outcome.ts';
import type { FhirStore, Practice } from '../../store/store.ts';

const ID_ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';
const ID_LENGTH = 12;
const MAX_NAME_LENGTH = 200;

/**
 * Creates a practice with a new random id and returns it.
 * The id is short, lower-case alphanumeric (about 62 bits of randomness) so it is safe in URLs,
 * file names and database identifiers alike; names must be unique, because
 * operators pick practices by name in the CLI.
 * @throws FhirError `invalid` for an empty or over-long name, `conflict` for a duplicate name.
 */
export async function createPractice(store: FhirStore, name: string): Promise<Practice> {
  const trimmed = typeof name === 'string' ? name.trim() : '';
  if (!trimmed) throw errors.invalid('A practice needs a non-empty name', 'name');
  if (trimmed.length > MAX_NAME_LENGTH) throw errors.invalid(`A practice name is at most ${MAX_NAME_LENGTH} characters`, 'name');
  if (await store.admin.findPracticeByName(trimmed)) throw errors.conflict(`A practice named "${trimmed}" already exists`);
  const practice: Practice = { id: newPracticeId(), name: trimmed, createdAt: new Date().toISOString() };
  await store.admin.createPractice(practice);
  return practice;
}

/** A fresh practice id; `randomInt` is uniform, so no modulo bias. */
export function newPracticeId(): string {
  let id = '';
  for (let i = 0; i < ID_LENGTH; i++) id += ID_ALPHABET[randomInt(ID_ALPHABET.length)];
  return id;
}
