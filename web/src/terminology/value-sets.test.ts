import { describe, expect, it } from 'vitest';
import { expansionChoices, filterToSend, SYSTEMS, systemName, toChoice } from './value-sets.ts';

describe('expansion choices', () => {
  it('keeps the server order, names the system, drops abstract and repeated entries', () => {
    const page = expansionChoices({
      resourceType: 'ValueSet',
      status: 'active',
      expansion: {
        timestamp: '2026-12-05T00:00:00Z',
        total: 135,
        contains: [
          { system: SYSTEMS.icd10cm, code: 'E11.9', display: 'Type 2 diabetes mellitus without complications' },
          { system: SYSTEMS.snomed, code: '44054006', display: 'Diabetes mellitus type 2' },
          { system: SYSTEMS.icd10cm, code: 'E11.9', display: 'Type 2 diabetes mellitus without complications' },
          { system: SYSTEMS.icd10cm, code: 'E11', display: 'Type 2 diabetes mellitus', abstract: true },
          { display: 'no code' },
        ],
      },
    });
    expect(page.total).toBe(135);
    expect(page.choices.map((c) => c.codeText)).toEqual(['ICD-10-CM E11.9', 'SNOMED CT 44054006']);
    expect(page.choices[0]!.key).toBe(`${SYSTEMS.icd10cm}|E11.9`);
  });

  it('an empty expansion has no choices and no total when the server gave none', () => {
    expect(expansionChoices({ resourceType: 'ValueSet', status: 'active' })).toEqual({ choices: [] });
  });

  it('a coding without a display shows its code', () => {
    expect(toChoice({ system: SYSTEMS.cvx, code: '208' }).coding.display).toBe('208');
  });
});

describe('system names', () => {
  it('short names for the shipped systems, the last segment otherwise', () => {
    expect(systemName(SYSTEMS.rxnorm)).toBe('RxNorm');
    expect(systemName(SYSTEMS.cvx)).toBe('CVX');
    expect(systemName('http://example.org/fhir/CodeSystem/local-codes')).toBe('local-codes');
    expect(systemName(undefined)).toBe('Uncoded');
  });
});

describe('filter to send', () => {
  it('waits for two letters or digits and folds spaces', () => {
    expect(filterToSend('d')).toBeUndefined();
    expect(filterToSend(' d. ')).toBeUndefined();
    expect(filterToSend('di')).toBe('di');
    expect(filterToSend('  type   2 diab ')).toBe('type 2 diab');
  });
});
