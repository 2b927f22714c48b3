/**
 * UCUM units in canonical form (UCUM base units), so that quantities of one dimension compare
 * whatever unit they were written in: 5500 mg and 5.5 g are both 5.5 g.
 *
 * Why a cache per unit: extraction runs on every write and a data set uses few distinct units,
 * while one conversion through `@lhncbc/ucum-lhc` parses the unit expression each time (up to
 * ~1 ms). Each unit is resolved once into a linear map `base = factor * value + offset`
 * (offset for the special units Cel and [degF]); non-linear special units (pH, dB, ...) and
 * units with annotations (`{score}`, which UCUM makes dimensionless, so any two annotated counts
 * would compare) get none and keep matching by code as written. The library and its unit
 * tables (~20 ms) load on first use.
 * @see https://ucum.org/ucum
 * @see https://hl7.org/fhir/R4/search.html#quantity
 */
import ucum from '@lhncbc/ucum-lhc';
import type { UcumLhcUtils } from '@lhncbc/ucum-lhc';

export const UCUM_SYSTEM = 'http://unitsofmeasure.org';

/** A unit's canonical form: the base-unit code and the map from the unit to it. */
export interface CanonicalUnit {
  /** Base units with exponents, sorted (`g.m-3`); `1` for dimensionless. */
  code: string;
  factor: number;
  offset: number;
}

/** Bounded: unit codes come from data and queries, so the set is not. */
const MAX_CACHED = 2_000;
const cache = new Map<string, CanonicalUnit | null>();
let utils: UcumLhcUtils | undefined;

/** The canonical form of a UCUM unit code, or undefined when it has none (see above). */
export function canonicalUnit(code: string): CanonicalUnit | undefined {
  let unit = cache.get(code);
  if (unit === undefined) {
    unit = resolve(code);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(code, unit);
  }
  return unit ?? undefined;
}

/** `value` in the canonical unit, rounded like number precision bounds so index and query agree. */
export function toCanonical(unit: CanonicalUnit, value: number): number {
  if (unit.factor === 1 && unit.offset === 0) return value;
  return round15(unit.factor * value + unit.offset);
}

/**
 * Rounds to 15 significant digits, removing the binary noise of the conversion (5000 mg would
 * be 5.000000000000001 g and match `gt5|...|g`). Scaling by an exact power of ten is several
 * times faster than `toPrecision`, which matters on every write of a quantity.
 */
function round15(x: number): number {
  if (x === 0 || !Number.isFinite(x)) return x;
  const digits = 14 - Math.floor(Math.log10(Math.abs(x)));
  if (digits < -22 || digits > 22) return Number(x.toPrecision(15));
  if (digits >= 0) {
    const scale = 10 ** digits;
    return Math.round(x * scale) / scale;
  }
  const scale = 10 ** -digits;
  return Math.round(x / scale) * scale;
}

function resolve(code: string): CanonicalUnit | null {
  if (code.length === 0 || code.includes('{')) return null;
  utils ??= ucum.UcumLhcUtils.getInstance();
  const at = (value: number): { magnitude: number; exps: Record<string, number> } | undefined => {
    const r = utils!.convertToBaseUnits(code, value);
    return r.status === 'succeeded' && typeof r.magnitude === 'number' && Number.isFinite(r.magnitude) && r.unitToExp
      ? { magnitude: r.magnitude, exps: r.unitToExp }
      : undefined;
  };
  const zero = at(0);
  const one = at(1);
  const two = at(2);
  if (!zero || !one || !two) return null;
  const factor = one.magnitude - zero.magnitude;
  const linear = Math.abs(two.magnitude - one.magnitude - factor) <= Math.abs(factor) * 1e-9;
  if (!linear || !(factor > 0)) return null;
  const baseCode = Object.keys(one.exps)
    .sort()
    .filter((k) => one.exps[k] !== 0)
    .map((k) => (one.exps[k] === 1 ? k : `${k}${one.exps[k]}`))
    .join('.');
  return { code: baseCode || '1', factor, offset: zero.magnitude };
}
