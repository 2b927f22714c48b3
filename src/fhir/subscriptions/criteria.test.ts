import { describe, expect, it } from 'vitest';
import { FhirError } from '../outcome.ts';
import { parseCriteria } from './criteria.ts';

describe('Subscription criteria', () => {
  it('reads the type and the search of a criteria', () => {
    const parsed = parseCriteria('Task?owner=Practitioner/123&status=requested');
    expect(parsed.resourceType).toBe('Task');
    expect(parsed.query.get('owner')).toBe('Practitioner/123');
    expect(parsed.query.get('status')).toBe('requested');
  });

  it('accepts a type alone (every resource of the type)', () => {
    expect(parseCriteria('Communication').query.toString()).toBe('');
  });

  it.each([
    [undefined, /needs criteria/],
    ['', /needs criteria/],
    ['Tasks?status=requested', /not one/],
    ['?status=requested', /resource type/],
    ['Task?_count=5', /shapes a search/],
    ['Task?_include=Task:patient', /shapes a search/],
    ['Task?colour=blue', /colour/],
    ['Observation?date=notadate', /.+/],
  ])('refuses %j', (criteria, reason) => {
    let error: unknown;
    try {
      parseCriteria(criteria);
    } catch (err) {
      error = err;
    }
    expect(error).toBeInstanceOf(FhirError);
    expect((error as FhirError).category).toBe('invalid');
    expect((error as FhirError).message).toMatch(reason);
  });
});
