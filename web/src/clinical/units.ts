/**
 * Converting the units people enter vitals in (pounds, inches, Fahrenheit) to the UCUM units
 * stored. Only the handful of vital-sign units: lab results keep whatever unit the lab reported.
 */

type Conversion = { toBase: (v: number) => number; fromBase: (v: number) => number };

const LINEAR = (factor: number): Conversion => ({ toBase: (v) => v * factor, fromBase: (v) => v / factor });

/** From a UCUM unit to the base unit of its dimension (kg, cm, Cel). */
const CONVERSIONS: Record<string, { base: string; conversion: Conversion }> = {
  kg: { base: 'kg', conversion: LINEAR(1) },
  g: { base: 'kg', conversion: LINEAR(0.001) },
  '[lb_av]': { base: 'kg', conversion: LINEAR(0.45359237) },
  '[oz_av]': { base: 'kg', conversion: LINEAR(0.028349523125) },
  cm: { base: 'cm', conversion: LINEAR(1) },
  m: { base: 'cm', conversion: LINEAR(100) },
  '[in_i]': { base: 'cm', conversion: LINEAR(2.54) },
  '[ft_i]': { base: 'cm', conversion: LINEAR(30.48) },
  Cel: { base: 'Cel', conversion: LINEAR(1) },
  '[degF]': { base: 'Cel', conversion: { toBase: (f) => ((f - 32) * 5) / 9, fromBase: (c) => (c * 9) / 5 + 32 } },
};

/** `value` in `from` expressed in `to`; throws when the two units measure different things. */
export function convert(value: number, from: string, to: string): number {
  if (from === to) return value;
  const a = CONVERSIONS[from];
  const b = CONVERSIONS[to];
  if (!a || !b || a.base !== b.base) throw new Error(`Cannot convert ${from} to ${to}`);
  return b.conversion.fromBase(a.conversion.toBase(value));
}

/** Rounds for storage and display without binary noise (72.30000000001 → 72.3). */
export function roundTo(value: number, decimals: number): number {
  const f = 10 ** decimals;
  return Math.round(value * f) / f;
}
