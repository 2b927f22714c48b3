import { describe, expect, it } from 'vitest';
import { elementOf, isDomainResourceType, isResourceType, resourceTypeNames } from './definitions.ts';

describe('definitions', () => {
  it('lists the concrete R4 resource types only', () => {
    const names = resourceTypeNames();
    expect(names).toContain('Patient');
    expect(names).toContain('Observation');
    expect(names).toContain('Bundle');
    expect(names).toContain('Parameters');
    expect(names).not.toContain('Resource');
    expect(names).not.toContain('DomainResource');
    expect(names).not.toContain('SubscriptionStatus'); // R4B, not R4
    expect(names).not.toContain('Project'); // medplum's own
    expect(names.length).toBe(146);
    expect([...names].sort()).toEqual(names);
  });

  it('answers isResourceType', () => {
    expect(isResourceType('Patient')).toBe(true);
    expect(isResourceType('patient')).toBe(false);
    expect(isResourceType('HumanName')).toBe(false);
    expect(isResourceType('DomainResource')).toBe(false);
    expect(isResourceType('constructor')).toBe(false);
  });

  it('knows which types are DomainResources', () => {
    expect(isDomainResourceType('Patient')).toBe(true);
    for (const t of ['Bundle', 'Binary', 'Parameters']) expect(isDomainResourceType(t)).toBe(false);
  });

  it('finds elements by FHIRPath name, choice elements included, never prototype members', () => {
    expect(elementOf('Patient', 'gender')?.type[0].code).toBe('code');
    expect(elementOf('Observation', 'value')?.path).toBe('Observation.value[x]');
    expect(elementOf('Patient', 'contact')?.type[0].code).toBe('PatientContact');
    expect(elementOf('Patient', 'constructor')).toBeUndefined();
    expect(elementOf('Patient', '__proto__')).toBeUndefined();
    expect(elementOf('NoSuchType', 'x')).toBeUndefined();
  });
});
