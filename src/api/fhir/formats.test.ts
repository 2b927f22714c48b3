import { describe, expect, it } from 'vitest';
import { FhirError } from '../../fhir/outcome.ts';
import { acceptsJson, isPretty, negotiate, parsePrefer, serialise } from './formats.ts';

function category(run: () => void): string | undefined {
  try {
    run();
    return undefined;
  } catch (err) {
    return (err as FhirError).category;
  }
}

describe('negotiate', () => {
  it.each([undefined, '', '*/*', 'application/fhir+json', 'application/json', 'application/fhir+json; fhirVersion=4.0', 'text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8', 'application/*'])(
    'accepts Accept %j',
    (accept) => expect(category(() => negotiate(accept, null))).toBeUndefined(),
  );

  it.each(['application/fhir+xml', 'application/xml', 'text/html', 'application/fhir+json;q=0, application/xml'])('refuses Accept %j with 406', (accept) => {
    expect(category(() => negotiate(accept, null))).toBe('not-acceptable');
  });

  it('lets _format override Accept', () => {
    expect(category(() => negotiate('application/fhir+xml', 'json'))).toBeUndefined();
    expect(category(() => negotiate(undefined, 'application/fhir+json'))).toBeUndefined();
    expect(category(() => negotiate(undefined, 'application/json'))).toBeUndefined();
    expect(category(() => negotiate('application/fhir+json', 'xml'))).toBe('not-acceptable');
    expect(category(() => negotiate(undefined, 'application/fhir+xml'))).toBe('not-acceptable');
    expect(category(() => negotiate(undefined, 'turtle'))).toBe('not-acceptable');
  });

  it('reads q values', () => {
    expect(acceptsJson('application/json;q=0.5')).toBe(true);
    expect(acceptsJson('application/json;q=0')).toBe(false);
  });

  it('offers CSV only where the caller says so (the audit report)', () => {
    const csv = { csv: true };
    expect(negotiate('text/csv', null, csv)).toBe('csv');
    expect(negotiate('text/csv; charset=utf-8', null, csv)).toBe('csv');
    expect(negotiate(undefined, 'text/csv', csv)).toBe('csv');
    expect(negotiate(undefined, 'csv', csv)).toBe('csv');
    expect(negotiate('application/fhir+json', 'text/csv', csv)).toBe('csv');
    expect(category(() => negotiate('text/csv', null))).toBe('not-acceptable');
    expect(category(() => negotiate(undefined, 'text/csv'))).toBe('not-acceptable');
    expect(category(() => negotiate(undefined, 'csv'))).toBe('not-acceptable');
    expect(category(() => negotiate('text/html', null, csv))).toBe('not-acceptable');
  });

  it('picks between JSON and CSV by quality, then by which one the client named', () => {
    const csv = { csv: true };
    expect(negotiate(undefined, null, csv)).toBe('fhir-json');
    expect(negotiate('*/*', null, csv)).toBe('fhir-json');
    expect(negotiate('text/*', null, csv)).toBe('csv');
    expect(negotiate('text/csv, */*', null, csv)).toBe('csv');
    expect(negotiate('text/csv;q=0.5, application/fhir+json', null, csv)).toBe('fhir-json');
    expect(negotiate('text/csv, application/fhir+json;q=0.5', null, csv)).toBe('csv');
    expect(negotiate('application/fhir+json, text/csv', null, csv)).toBe('fhir-json');
    expect(negotiate('text/csv;q=0, */*', null, csv)).toBe('fhir-json');
    // Where CSV is not offered, a client that prefers it still gets the JSON it also accepts.
    expect(negotiate('text/csv, application/fhir+json;q=0.5', null)).toBe('fhir-json');
  });
});

describe('pretty printing', () => {
  it('indents only for _pretty=true', () => {
    expect(isPretty('true')).toBe(true);
    expect(isPretty('false')).toBe(false);
    expect(isPretty(null)).toBe(false);
    expect(serialise({ a: [1] }, false)).toBe('{"a":[1]}');
    expect(serialise({ a: [1] }, true)).toBe('{\n  "a": [\n    1\n  ]\n}');
  });
});

describe('parsePrefer', () => {
  it('reads return and handling in any order and separator', () => {
    expect(parsePrefer('return=minimal')).toEqual({ return: 'minimal' });
    expect(parsePrefer('handling=strict, return=OperationOutcome')).toEqual({ return: 'OperationOutcome', handling: 'strict' });
    expect(parsePrefer('return="representation"; handling=lenient')).toEqual({ return: 'representation', handling: 'lenient' });
  });

  it('ignores what it does not know', () => {
    expect(parsePrefer(undefined)).toEqual({});
    expect(parsePrefer('respond-async, return=everything, wait=10')).toEqual({});
  });
});
