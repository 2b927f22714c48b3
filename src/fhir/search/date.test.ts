import { describe, expect, it } from 'vitest';
import { dateRange } from '../date-time.ts';
import { FhirError } from '../outcome.ts';
import { indexDate, MAX_INSTANT, MIN_INSTANT, parseDateQuery } from './date.ts';
import type { IndexRow } from './types.ts';

const ms = (iso: string): number => Date.parse(iso);

function rows(type: string, value: unknown): IndexRow[] {
  const out: IndexRow[] = [];
  indexDate('date', { type, value }, (r) => out.push(r));
  return out;
}

describe('date ranges', () => {
  it.each([
    ['2020', '2020-01-01T00:00:00.000Z', '2020-12-31T23:59:59.999Z'],
    ['2020-02', '2020-02-01T00:00:00.000Z', '2020-02-29T23:59:59.999Z'],
    ['2021-02-28', '2021-02-28T00:00:00.000Z', '2021-02-28T23:59:59.999Z'],
    ['2020-03-04T10:00Z', '2020-03-04T10:00:00.000Z', '2020-03-04T10:00:59.999Z'],
    ['2020-03-04T10:00:00+01:00', '2020-03-04T09:00:00.000Z', '2020-03-04T09:00:00.999Z'],
    ['2020-03-04T10:00:00-05:30', '2020-03-04T15:30:00.000Z', '2020-03-04T15:30:00.999Z'],
    ['2020-03-04T10:00:00.5Z', '2020-03-04T10:00:00.500Z', '2020-03-04T10:00:00.599Z'],
    ['2020-03-04T10:00:00.123456Z', '2020-03-04T10:00:00.123Z', '2020-03-04T10:00:00.123Z'],
    ['2020-12-31T23:59:59', '2020-12-31T23:59:59.000Z', '2020-12-31T23:59:59.999Z'],
  ])('%s covers [%s, %s]', (text, start, end) => {
    expect(dateRange(text)).toEqual({ start: ms(start), end: ms(end) });
  });

  it('handles years before 100 (Date.UTC would shift them to 19xx)', () => {
    expect(new Date(dateRange('0050')!.start).getUTCFullYear()).toBe(50);
  });

  it.each(['2021-02-29', '2020-13', '2020-00-10', '2020-04-31', '2020-01-01T24:00Z', '2020-01-01T10:00+15:00', '12/31/2020', '2020-1-1', ''])(
    'rejects %s',
    (text) => expect(dateRange(text)).toBeUndefined(),
  );
});

describe('date index rows', () => {
  it('indexes date, dateTime and instant values', () => {
    expect(rows('date', '1949-12-02')).toEqual([{ kind: 'date', param: 'date', start: ms('1949-12-02T00:00:00Z'), end: ms('1949-12-02T23:59:59.999Z') }]);
    expect(rows('instant', '2019-01-01T00:00:00.000Z')[0]).toMatchObject({ start: ms('2019-01-01T00:00:00Z'), end: ms('2019-01-01T00:00:00Z') });
  });

  it('indexes Periods with open ends as unbounded', () => {
    expect(rows('Period', { start: '2020-01-01', end: '2020-01-02' })[0]).toMatchObject({ start: ms('2020-01-01'), end: ms('2020-01-02T23:59:59.999Z') });
    expect(rows('Period', { start: '2020' })[0]).toMatchObject({ start: ms('2020-01-01'), end: MAX_INSTANT });
    expect(rows('Period', { end: '2020' })[0]).toMatchObject({ start: MIN_INSTANT, end: ms('2020-12-31T23:59:59.999Z') });
    expect(rows('Period', {})).toEqual([]);
  });

  it('indexes Timing by its outer limits', () => {
    const timing = { event: ['2020-05-01', '2020-01-01T10:00:00Z'], repeat: { boundsPeriod: { start: '2020-02', end: '2020-06' } } };
    expect(rows('Timing', timing)[0]).toMatchObject({ start: ms('2020-01-01T10:00:00Z'), end: ms('2020-06-30T23:59:59.999Z') });
    expect(rows('Timing', { repeat: { frequency: 1 } })).toEqual([]);
  });

  it('ignores strings, ages and invalid dates', () => {
    expect(rows('string', '2020')).toEqual([]);
    expect(rows('Age', { value: 3 })).toEqual([]);
    expect(rows('dateTime', 'yesterday')).toEqual([]);
  });
});

describe('date query values', () => {
  it('parses prefixes and every precision, agreeing with the index', () => {
    expect(parseDateQuery('2020', 'birthdate')).toEqual({ kind: 'date', prefix: 'eq', ...dateRange('2020') });
    expect(parseDateQuery('ge2020-03', 'birthdate')).toEqual({ kind: 'date', prefix: 'ge', ...dateRange('2020-03') });
    for (const prefix of ['eq', 'ne', 'gt', 'lt', 'ge', 'le', 'sa', 'eb', 'ap']) {
      expect(parseDateQuery(`${prefix}2020-03-04T10:00:00Z`, 'date')).toMatchObject({ prefix, start: ms('2020-03-04T10:00:00Z') });
    }
  });

  it('rejects bad dates with a clear FhirError invalid', () => {
    for (const bad of ['2020-13-01', 'xx2020', 'gt', '2020-02-30', 'today']) {
      let error: unknown;
      try {
        parseDateQuery(bad, 'birthdate');
      } catch (e) {
        error = e;
      }
      expect(error, bad).toBeInstanceOf(FhirError);
      expect((error as FhirError).category).toBe('invalid');
      expect((error as FhirError).message).toContain(`Invalid date "${bad}" for parameter "birthdate"`);
    }
  });
});
