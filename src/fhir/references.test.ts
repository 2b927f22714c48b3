import type { Claim, Patient } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { sampleResources } from '../../tests/fixtures/sample-resources.ts';
import { visitReferences } from './references.ts';

const refs = (resource: object): string[] => {
  const out: string[] = [];
  visitReferences(resource, (r) => out.push(r.reference as string));
  return out;
};

describe('visitReferences', () => {
  it('finds References by type, in extensions, nested Reference.identifier.assigner and contained resources', () => {
    const patient: Patient = {
      resourceType: 'Patient',
      generalPractitioner: [{ reference: 'Practitioner/1' }, { display: 'no reference' }],
      managingOrganization: { reference: 'urn:uuid:aaa', identifier: { assigner: { reference: 'Organization/2' } } },
      extension: [{ url: 'http://x', valueReference: { reference: 'RelatedPerson/3' } }],
      contained: [{ resourceType: 'Organization', id: 'o', partOf: { reference: 'Organization/4' } }],
      link: [{ other: { reference: '#o' }, type: 'seealso' }],
    };
    expect(refs(patient)).toEqual(['Practitioner/1', 'urn:uuid:aaa', 'Organization/2', 'RelatedPerson/3', 'Organization/4']);
  });

  it('ignores non-Reference elements that happen to be named reference', () => {
    // Strings and unknown keys are not References even when they look like one.
    const claim = { resourceType: 'Claim', extension: [{ url: 'http://x', valueString: 'reference' }], patient: { reference: 'Patient/1' } } as Claim;
    expect(refs(claim)).toEqual(['Patient/1']);
    expect(refs({ resourceType: 'Basic', code: { text: 'x' }, reference: 'Patient/9' })).toEqual([]);
  });

  it('lets the visitor rewrite references in place', () => {
    const patient: Patient = { resourceType: 'Patient', generalPractitioner: [{ reference: 'urn:uuid:1' }] };
    visitReferences(patient, (r) => {
      r.reference = 'Practitioner/new';
    });
    expect(patient.generalPractitioner?.[0].reference).toBe('Practitioner/new');
  });

  it('finds every urn:uuid reference of the Synthea bundles (and only them)', () => {
    let count = 0;
    for (const r of sampleResources()) {
      const seen = refs(r);
      const expected = (JSON.stringify(r).match(/"reference":"urn:uuid:[^"]+"/g) ?? []).length;
      expect(seen.filter((x) => x.startsWith('urn:uuid:')), `${r.resourceType}/${r.id}`).toHaveLength(expected);
      expect(seen.some((x) => x.startsWith('#'))).toBe(false);
      count += seen.length;
    }
    expect(count).toBeGreaterThan(60_000);
  });
});
