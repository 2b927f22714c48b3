/**
 * The password rule for user accounts (ASVS 6.2): 12 to 128 characters, any characters allowed,
 * and refused when it is easy to guess — a common or breached password, a keyboard walk, a date,
 * or built from the user's own email. Guessability is zxcvbn's estimate (its dictionaries hold the
 * most common passwords from public breach corpora); no composition rules, which only make
 * passwords harder to remember, not to guess.
 */
import { ZxcvbnFactory } from '@zxcvbn-ts/core';
import * as common from '@zxcvbn-ts/language-common';
import * as english from '@zxcvbn-ts/language-en';

export const MIN_PASSWORD_LENGTH = 12;
export const MAX_PASSWORD_LENGTH = 128;
/** zxcvbn score 0–4; 3 means "safely unguessable: moderate protection from offline slow-hash scenario". */
const MIN_SCORE = 3;

let estimator: ZxcvbnFactory | undefined;

/** The reason a password is refused, or undefined when it is acceptable. */
export function passwordProblem(password: string, userInputs: readonly string[] = []): string | undefined {
  const length = [...password].length;
  if (length < MIN_PASSWORD_LENGTH) return `The password must have at least ${MIN_PASSWORD_LENGTH} characters (it has ${length}); a few unrelated words make a good one.`;
  if (length > MAX_PASSWORD_LENGTH) return `The password must have at most ${MAX_PASSWORD_LENGTH} characters.`;
  estimator ??= new ZxcvbnFactory({
    dictionary: { ...common.dictionary, ...english.dictionary },
    graphs: common.adjacencyGraphs,
    translations: english.translations,
  });
  const inputs = userInputs.flatMap((input) => [input, ...input.split(/[@.+_-]/)]).filter((s) => s.length >= 3);
  const result = estimator.check(password, inputs);
  if (result.score >= MIN_SCORE) return undefined;
  const why = result.feedback.warning ? ` ${result.feedback.warning}.` : '';
  return `The password is too easy to guess (it is common, appears in breached-password lists, or follows a pattern).${why.replace(/\.\.$/, '.')} Choose another.`;
}
