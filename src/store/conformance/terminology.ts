/**
 * The terminology store: concepts replaced by code, value-set rules that select concepts loaded
 * before and after, and expansions filtered by word prefixes in any order with the documented
 * ranking. Terminology is shared by every practice, so each test uses systems and value sets
 * of its own.
 */
import { randomUUID } from 'node:crypto';
import { describe, expect } from 'vitest';
import { parseFilter } from '../../fhir/terminology/words.ts';
import type { TermConcept } from '../terminology.ts';
import type { Harness } from './harness.ts';

export function terminologySuite(h: Harness): void {
  describe('terminology', () => {
    const unique = (what: string) => `http://example.org/${what}/${randomUUID()}`;
    const page = { offset: 0, count: 20 };
    const filter = (text: string) => {
      const parsed = parseFilter(text);
      if (parsed === undefined) throw new Error(`no terms in ${text}`);
      return parsed;
    };
    const displays = (concepts: TermConcept[]) => concepts.map((c) => c.display);

    h.test('terminology: concepts are looked up and counted by system, and replaced by code', async () => {
      const t = (await h.store()).terminology;
      const system = unique('cs');
      await t.putConcepts([
        { system, code: 'A1', display: 'Asthma', kind: 'disorder', properties: { semanticTag: 'disorder' }, designations: ['Reactive airway disease'] },
        { system, code: 'B2', display: 'Bronchitis', inactive: true },
      ]);
      expect(await t.countConcepts(system)).toBe(2);
      expect(await t.lookup(system, 'A1')).toEqual({
        system,
        code: 'A1',
        display: 'Asthma',
        kind: 'disorder',
        properties: { semanticTag: 'disorder' },
        designations: ['Reactive airway disease'],
      });
      expect(await t.lookup(system, 'B2')).toEqual({ system, code: 'B2', display: 'Bronchitis', inactive: true });
      expect(await t.lookup(system, 'a1')).toBeUndefined();
      expect(await t.lookup(unique('other'), 'A1')).toBeUndefined();

      const valueSet = unique('vs');
      await t.defineValueSet(valueSet, [{ system }]);
      await t.putConcepts([{ system, code: 'A1', display: 'Bronchial asthma' }]);
      expect(await t.countConcepts(system)).toBe(2);
      expect(await t.lookup(system, 'A1')).toEqual({ system, code: 'A1', display: 'Bronchial asthma' });
      // The old names' words went with them; the new display's words find it.
      expect((await t.expand(valueSet, filter('reactive'), page)).total).toBe(0);
      // Bronchitis is inactive: looked up, never offered.
      expect(displays((await t.expand(valueSet, filter('bronch'), page)).concepts)).toEqual(['Bronchial asthma']);
      await t.putConcepts([{ system, code: 'B2', display: 'Bronchitis' }]);
      expect(displays((await t.expand(valueSet, filter('bronch'), page)).concepts)).toEqual(['Bronchitis', 'Bronchial asthma']);
      await t.putConcepts([{ system, code: 'B2', display: 'Bronchitis', inactive: true }]);
      expect((await t.expand(valueSet, undefined, page)).total).toBe(1);
    });

    h.test('terminology: a value set holds the concepts its rules select, loaded before or after it is defined', async () => {
      const t = (await h.store()).terminology;
      const [snomed, rxnorm] = [unique('sct'), unique('rx')];
      await t.putConcepts([
        { system: snomed, code: '1', display: 'Asthma', kind: 'disorder' },
        { system: snomed, code: '2', display: 'Peanut', kind: 'substance' },
        { system: rxnorm, code: '10', display: 'amoxicillin', kind: 'IN' },
      ]);
      const [problems, substances] = [unique('problems'), unique('substances')];
      await t.defineValueSet(problems, [{ system: snomed, kinds: ['disorder', 'finding'] }]);
      await t.defineValueSet(substances, [{ system: snomed, kinds: ['substance'] }, { system: rxnorm, kinds: ['IN'] }]);
      await t.putConcepts([
        { system: snomed, code: '3', display: 'Cough', kind: 'finding' },
        { system: rxnorm, code: '11', display: 'amoxicillin 500 MG Oral Capsule', kind: 'SCD' },
        { system: rxnorm, code: '12', display: 'Aspirin', kind: 'IN' },
      ]);
      const problemPage = await t.expand(problems, undefined, page);
      expect(problemPage).toMatchObject({ total: 2 });
      expect(displays(problemPage.concepts)).toEqual(['Asthma', 'Cough']);
      expect(displays((await t.expand(substances, undefined, page)).concepts)).toEqual(['amoxicillin', 'Aspirin', 'Peanut']);
      // A concept whose kind changes moves between value sets.
      await t.putConcepts([{ system: snomed, code: '2', display: 'Peanut allergy', kind: 'disorder' }]);
      expect(displays((await t.expand(problems, undefined, page)).concepts)).toEqual(['Asthma', 'Cough', 'Peanut allergy']);
      expect(displays((await t.expand(substances, undefined, page)).concepts)).toEqual(['amoxicillin', 'Aspirin']);
      // Redefining replaces the rules.
      await t.defineValueSet(problems, [{ system: snomed, kinds: ['finding'] }]);
      expect(displays((await t.expand(problems, undefined, page)).concepts)).toEqual(['Cough']);
      expect(await t.expand(unique('unknown'), undefined, page)).toEqual({ total: 0, concepts: [] });
    });

    h.test('terminology: a filter matches word prefixes in any order, ignoring case and accents, and ranks the best first', async () => {
      const t = (await h.store()).terminology;
      const system = unique('icd');
      const valueSet = unique('vs');
      await t.defineValueSet(valueSet, [{ system }]);
      const names = [
        'Type 2 diabetes mellitus',
        'Diabetes mellitus type 2',
        'Gestational diabetes',
        'Diabetes mellitus',
        'Diabetic foot',
        'Type 1 diabetes mellitus',
        'Hypertension',
        'Diabetes mellitus, type 2, with a long list of complications',
        'Mellitus diab',
        'Maladie de Ménière',
      ];
      await t.putConcepts(names.map((display, i) => ({ system, code: `C${i}.${i}`, display })));
      const find = async (text: string) => displays((await t.expand(valueSet, filter(text), page)).concepts);

      // Starts with the filter first (shorter first), then the rest (shorter first).
      expect(await find('diab')).toEqual([
        'Diabetic foot',
        'Diabetes mellitus',
        'Diabetes mellitus type 2',
        'Diabetes mellitus, type 2, with a long list of complications',
        'Mellitus diab',
        'Gestational diabetes',
        'Type 1 diabetes mellitus',
        'Type 2 diabetes mellitus',
      ]);
      // A page across the border between displays that start with the filter and the others.
      const across = await t.expand(valueSet, filter('diab'), { offset: 3, count: 3 });
      expect(across.total).toBe(8);
      expect(displays(across.concepts)).toEqual(['Diabetes mellitus, type 2, with a long list of complications', 'Mellitus diab', 'Gestational diabetes']);
      expect(await find('TYPE 2 diab')).toEqual([
        'Type 2 diabetes mellitus',
        'Diabetes mellitus type 2',
        'Diabetes mellitus, type 2, with a long list of complications',
      ]);
      // The display is the filter, then starts with it, then its first word starts with the first term.
      expect(await find('diabetes mellitus')).toEqual([
        'Diabetes mellitus',
        'Diabetes mellitus type 2',
        'Diabetes mellitus, type 2, with a long list of complications',
        'Type 1 diabetes mellitus',
        'Type 2 diabetes mellitus',
      ]);
      expect(await find('diab mell')).toEqual([
        'Diabetes mellitus',
        'Diabetes mellitus type 2',
        'Diabetes mellitus, type 2, with a long list of complications',
        'Mellitus diab',
        'Type 1 diabetes mellitus',
        'Type 2 diabetes mellitus',
      ]);
      expect(await find('meniere')).toEqual(['Maladie de Ménière']);
      expect(await find('MÉNI')).toEqual(['Maladie de Ménière']);
      // A code is a word too, found by its start.
      expect(await find('c3.3')).toEqual(['Diabetes mellitus']);
      expect(await find('c6')).toEqual(['Hypertension']);
      expect(await find('diabetes insipidus')).toEqual([]);
      expect(await find('xyz')).toEqual([]);
    });

    h.test('terminology: expansions page with offset and count, and count every match', async () => {
      const t = (await h.store()).terminology;
      const system = unique('cs');
      const valueSet = unique('vs');
      await t.putConcepts(Array.from({ length: 30 }, (_, i) => ({ system, code: String(i), display: `Fracture of bone ${String(i).padStart(2, '0')}` })));
      await t.putConcepts([{ system, code: 'other', display: 'Sprain of ankle', designations: ['Twisted ankle'] }]);
      await t.defineValueSet(valueSet, [{ system }]);
      const first = await t.expand(valueSet, filter('fract'), { offset: 0, count: 10 });
      expect(first.total).toBe(30);
      expect(displays(first.concepts)).toEqual(Array.from({ length: 10 }, (_, i) => `Fracture of bone ${String(i).padStart(2, '0')}`));
      const last = await t.expand(valueSet, filter('bone fract'), { offset: 25, count: 10 });
      expect(last.total).toBe(30);
      expect(displays(last.concepts)).toEqual(Array.from({ length: 5 }, (_, i) => `Fracture of bone ${25 + i}`));
      expect(await t.expand(valueSet, filter('fract'), { offset: 40, count: 10 })).toEqual({ total: 30, concepts: [] });
      const unfiltered = await t.expand(valueSet, undefined, { offset: 30, count: 10 });
      expect(unfiltered.total).toBe(31);
      expect(displays(unfiltered.concepts)).toEqual(['Sprain of ankle']);
      // Other names are searched; the display is what comes back.
      expect(displays((await t.expand(valueSet, filter('twist'), page)).concepts)).toEqual(['Sprain of ankle']);
    });

    h.test('terminology: CodeSystem and ValueSet resources are kept by type and URL, found by URL or id', async () => {
      const t = (await h.store()).terminology;
      const url = unique('vs');
      const id = `vs-${randomUUID()}`;
      await t.putResource({ resourceType: 'ValueSet', url, id, content: JSON.stringify({ resourceType: 'ValueSet', url, id, version: '1' }) });
      await t.putResource({ resourceType: 'ValueSet', url, id, content: JSON.stringify({ resourceType: 'ValueSet', url, id, version: '2' }) });
      const byUrl = await t.getResource('ValueSet', { url });
      expect(JSON.parse(byUrl?.content ?? '{}')).toMatchObject({ version: '2' });
      expect(await t.getResource('ValueSet', { id })).toEqual(byUrl);
      expect(await t.getResource('CodeSystem', { url })).toBeUndefined();
      expect(await t.getResource('ValueSet', { id: 'none' })).toBeUndefined();
      expect((await t.listResources('ValueSet')).filter((r) => r.url === url)).toHaveLength(1);
    });
  });
}
