/** Body mass index from weight and height, and its adult WHO category. */
import { roundTo } from './units.ts';

/** BMI in kg/m² to one decimal; undefined unless both measures are positive. */
export function bmi(weightKg: number | undefined, heightCm: number | undefined): number | undefined {
  if (weightKg === undefined || heightCm === undefined || !(weightKg > 0) || !(heightCm > 0)) return undefined;
  const metres = heightCm / 100;
  return roundTo(weightKg / (metres * metres), 1);
}

/** WHO adult categories; children need percentiles for age, which this does not give. */
export function bmiCategory(value: number): 'Underweight' | 'Healthy weight' | 'Overweight' | 'Obesity' {
  if (value < 18.5) return 'Underweight';
  if (value < 25) return 'Healthy weight';
  if (value < 30) return 'Overweight';
  return 'Obesity';
}
