import { describe, expect, it } from 'vitest';
import { planPatientSearch } from './search-terms.ts';

const TODAY = new Date(2026, 11, 5);
const plan = (input: string) => {
  const p = planPatientSearch(input, TODAY);
  return { queries: p.queries.map((q) => q.toString()), understood: p.understood };
};

describe('planPatientSearch', () => {
  it('reads names in any order as one prefix per word', () => {
    expect(plan('Smith John').queries).toEqual(['name=smith&name=john']);
    expect(plan('john smith').queries).toEqual(['name=john&name=smith']);
    expect(plan('Smith, J').queries).toEqual(['name=smith&name=j']);
    expect(plan("O'Brien-Lee").queries).toEqual(["name=o%27brien-lee"]);
    expect(plan('Ma').queries).toEqual(['name=ma']);
  });

  it('waits for two letters before searching by name', () => {
    expect(plan('m').queries).toEqual([]);
    expect(plan('  ').queries).toEqual([]);
  });

  it.each([
    ['1970-03-14', '1970-03-14'],
    ['3/14/1970', '1970-03-14'],
    ['03/04/1970', '1970-03-04'], // month first
    ['14/03/1970', '1970-03-14'], // 14 cannot be a month
    ['14.03.1970', '1970-03-14'], // dots: day first
    ['3-14-70', '1970-03-14'],
    ['3/14/05', '2005-03-14'],
    ['19700314', '1970-03-14'],
    ['14 March 1970', '1970-03-14'],
    ['Mar 14, 1970', '1970-03-14'],
    ['sept 1 1999', '1999-09-01'],
  ])('reads the date of birth %s', (input, date) => {
    expect(plan(input).queries).toEqual([`birthdate=${date}`]);
  });

  it('combines a name and a date of birth in one search', () => {
    expect(plan('smi 3/14/1970')).toEqual({ queries: ['name=smi&birthdate=1970-03-14'], understood: ['Name “smi”', 'Born 1970-03-14'] });
    expect(plan('14 mar 1970 jo sm').queries).toEqual(['name=jo&name=sm&birthdate=1970-03-14']);
  });

  it('reads a lone year as the year of birth', () => {
    expect(plan('kreiger 1984').queries).toEqual(['name=kreiger&birthdate=1984']);
    expect(plan('2031').queries).toEqual(['identifier=2031']); // a future year is not a birth year
  });

  it('refuses dates that do not exist or are in the future', () => {
    expect(plan('2/30/1970').queries).toEqual(['identifier=2%2F30%2F1970']);
    expect(plan('1/1/2030').queries).toEqual(['identifier=1%2F1%2F2030']);
  });

  it('searches an MRN or other identifier exactly, keeping its case (tokens are case-sensitive)', () => {
    expect(plan('MRN123456').queries).toEqual(['identifier=MRN123456']);
    expect(plan('D-100042 A|7').queries).toEqual(['identifier=D-100042%2CA%5C%7C7']);
    expect(plan('Hartley D-100042').queries).toEqual(['name=hartley', 'identifier=D-100042']);
    expect(plan('a1b2c3d4-0000-4000-8000-000000000000').queries).toEqual(['identifier=a1b2c3d4-0000-4000-8000-000000000000']);
  });

  it('searches a phone number in the forms it is stored in, in one request (comma is OR)', () => {
    const expected = ['phone=555-123-4567%2C5551234567%2C%28555%29+123-4567'];
    expect(plan('(555) 123-4567').queries).toEqual(expected);
    expect(plan('555.123.4567').queries).toEqual(expected);
    expect(plan('+1 555 123 4567').queries).toEqual(expected);
    expect(plan('555-123-4567').understood).toEqual(['Phone 555-123-4567']);
  });
});
