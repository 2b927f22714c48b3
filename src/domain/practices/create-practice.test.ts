import { describe, expect, it } from 'vitest';
import { FhirError } from '../../fhir/outcome.ts';
import type { FhirStore, Practice } from '../../store/store.ts';
import { createPractice, newPracticeId } from './create-practice.ts';

function fakeStore(): FhirStore {
  const practices = new Map<string, Practice>();
  return {
    admin: {
      createPractice: async (p: Practice) => void practices.set(p.id, p),
      getPractice: async (id: string) => practices.get(id),
      findPracticeByName: async (name: string) => [...practices.values()].find((p) => p.name === name),
      listPractices: async () => [...practices.values()],
    },
  } as unknown as FhirStore;
}

describe('createPractice', () => {
  it('creates a practice with a short url-safe id', async () => {
    const store = fakeStore();
    const practice = await createPractice(store, '  Riverside Clinic ');
    expect(practice.name).toBe('Riverside Clinic');
    expect(practice.id).toMatch(/^[a-z0-9]{12}$/);
    expect(Number.isNaN(Date.parse(practice.createdAt))).toBe(false);
    expect(await store.admin.getPractice(practice.id)).toEqual(practice);
  });

  it('refuses a duplicate name with conflict', async () => {
    const store = fakeStore();
    await createPractice(store, 'Riverside');
    await expect(createPractice(store, 'Riverside')).rejects.toMatchObject({ category: 'conflict' });
  });

  it('refuses an empty name', async () => {
    await expect(createPractice(fakeStore(), '   ')).rejects.toBeInstanceOf(FhirError);
  });

  it('ids do not repeat', () => {
    const ids = new Set(Array.from({ length: 1000 }, newPracticeId));
    expect(ids.size).toBe(1000);
  });
});
