/** The part of `@lhncbc/ucum-lhc` (which ships no types) that `ucum.ts` uses. */
declare module '@lhncbc/ucum-lhc' {
  export interface BaseUnitsResult {
    status: 'succeeded' | 'invalid' | 'error' | 'failed';
    msg: string[];
    magnitude?: number;
    /** Base unit symbol to exponent, e.g. `{ g: 1, m: -3 }`. */
    unitToExp?: Record<string, number>;
    fromUnitIsSpecial?: boolean;
  }
  export interface UcumLhcUtils {
    convertToBaseUnits(fromUnit: string, fromValue: number): BaseUnitsResult;
  }
  const ucum: { UcumLhcUtils: { getInstance(): UcumLhcUtils } };
  export default ucum;
}
