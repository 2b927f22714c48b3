/**
 * When an invariant is certainly met without evaluating it. Most R4 invariants only constrain
 * elements a value rarely has — `dom-2` is `contained.contained.empty()`, `obs-6` is
 * `dataAbsentReason.empty() or value.empty()` — and FHIRPath navigation from an absent element
 * gives the empty collection, so `x.empty()` is true and `x.exists()` false whenever the value
 * has no `x`. The general evaluator took ~2 µs per invariant and value, about a third of
 * validation in a bulk import; checking that a few keys are absent takes nanoseconds.
 *
 * The analysis is deliberately narrow and one-sided: it only ever concludes "met", and only
 * from sub-expressions whose result it can derive exactly, so the evaluator still decides every
 * other case. It proves a single `true`, stronger than what passing needs (not `false`, see
 * `invariants.ts`); `invariant-shortcut.test.ts` checks it against the FHIRPath engine for every
 * R4 invariant on values with absent elements. medplum's `and`/`or`/`implies` evaluate both operands, and an operand can throw
 * (reported as "could not be evaluated"); so an operand may be skipped only if it is decided by
 * the absent keys too, or is of a shape that cannot throw.
 */
import { AndAtom, DotAtom, FhirPathAtom, FunctionAtom, ImpliesAtom, IndexerAtom, LiteralAtom, OrAtom, parseFhirPath, SymbolAtom } from '@medplum/core';
import type { Atom } from '@medplum/core';

/**
 * Sets of JSON keys: the invariant is met if every key of at least one set is absent from the
 * value. Empty when no absence decides it.
 */
export type AbsentKeySets = readonly (readonly string[])[];

/**
 * Conditions under which an expression certainly yields a single `true` (`t`) or `false` (`f`)
 * without throwing, as alternatives of element names that must all be absent (an empty
 * alternative: always). `safe`: whatever the data, it yields at most one boolean and cannot throw.
 */
interface Outcome {
  t: Alternatives;
  f: Alternatives;
  safe: boolean;
}
type Alternatives = string[][];

const UNKNOWN: Outcome = { t: [], f: [], safe: false };
/** Keeps the analysis of long expressions small; dropping alternatives only loses shortcuts. */
const MAX_ALTERNATIVES = 8;
/** Functions that map an empty input to an empty output without evaluating their arguments. */
const EMPTY_PRESERVING = new Set(['where', 'select', 'first', 'last', 'tail']);
/** Functions that, on any input, return one boolean and cannot throw. */
const TOTAL_TESTS = new Set(['empty', 'exists']);

/**
 * The key sets whose absence makes `expression` certainly true on an object of a type whose
 * element `name` is carried by the JSON keys `keysOf(name)` (undefined: not an element of the
 * type, so the shortcut does not apply to it).
 */
export function metWhenAbsent(expression: string, keysOf: (element: string) => readonly string[] | undefined): AbsentKeySets {
  let atom: Atom;
  try {
    atom = parseFhirPath(expression);
  } catch {
    return []; // The evaluator reports the unparseable expression; no shortcut for it.
  }
  const sets: string[][] = [];
  for (const alternative of minimal(outcome(atom).t)) {
    const keys: string[] = [];
    let known = true;
    for (const element of alternative) {
      const jsonKeys = keysOf(element);
      if (!jsonKeys) known = false;
      else for (const key of jsonKeys) keys.push(key, '_' + key);
    }
    if (known) sets.push(keys);
  }
  return sets;
}

/** True if, for one of the sets, `value` has none of its keys. */
export function certainlyMet(value: Record<string, unknown>, sets: AbsentKeySets): boolean {
  // medplum navigates `x` from an object whose resourceType is "x" to the object itself; such an
  // object (already invalid) is left to the evaluator. Real resource types are capitalised.
  const resourceType = value.resourceType;
  if (resourceType !== undefined && !(typeof resourceType === 'string' && /^[A-Z]/.test(resourceType))) return false;
  for (const keys of sets) {
    let absent = true;
    for (const key of keys) {
      if (value[key] !== undefined) {
        absent = false;
        break;
      }
    }
    if (absent) return true;
  }
  return false;
}

function outcome(atom: Atom): Outcome {
  if (atom instanceof FhirPathAtom) return outcome(atom.child);
  if (atom instanceof OrAtom) {
    const [a, b] = [outcome(atom.left), outcome(atom.right)];
    return { t: either(both(a.t, settled(b)), both(b.t, settled(a))), f: both(a.f, b.f), safe: a.safe && b.safe };
  }
  if (atom instanceof AndAtom) {
    const [a, b] = [outcome(atom.left), outcome(atom.right)];
    return { t: both(a.t, b.t), f: either(both(a.f, settled(b)), both(b.f, settled(a))), safe: a.safe && b.safe };
  }
  if (atom instanceof ImpliesAtom) {
    const [a, b] = [outcome(atom.left), outcome(atom.right)];
    return { t: either(both(a.f, settled(b)), both(b.t, settled(a))), f: both(a.t, b.f), safe: a.safe && b.safe };
  }
  if (atom instanceof DotAtom && atom.right instanceof FunctionAtom && atom.right.args.length === 0) {
    const name = atom.right.name;
    if (name === 'not') {
      const inner = outcome(atom.left);
      return { t: inner.f, f: inner.t, safe: inner.safe };
    }
    if (TOTAL_TESTS.has(name)) {
      const path = navigation(atom.left);
      if (!path) return UNKNOWN;
      // From an absent root the navigation is empty: `empty()` is true, `exists()` false.
      const absent = [[path.root]];
      return name === 'empty' ? { t: absent, f: [], safe: path.plain } : { t: [], f: absent, safe: path.plain };
    }
  }
  return UNKNOWN;
}

/**
 * A navigation from the context: an element name, then element names, literal indexes and
 * empty-preserving functions. `plain` when it has no function arguments that could throw.
 */
function navigation(atom: Atom): { root: string; plain: boolean } | undefined {
  if (atom instanceof SymbolAtom) return isElementName(atom.name) ? { root: atom.name, plain: true } : undefined;
  // A non-number index throws even on an empty input.
  if (atom instanceof IndexerAtom) return atom.expr instanceof LiteralAtom && typeof atom.expr.value.value === 'number' ? navigation(atom.left) : undefined;
  if (!(atom instanceof DotAtom)) return undefined;
  const left = navigation(atom.left);
  if (!left) return undefined;
  const step = atom.right;
  if (step instanceof SymbolAtom) return isElementName(step.name) ? left : undefined;
  if (step instanceof FunctionAtom && EMPTY_PRESERVING.has(step.name)) return { root: left.root, plain: left.plain && step.args.length === 0 };
  return undefined;
}

/** Not `$this`, `%resource` and the like, which do not navigate from the input. */
function isElementName(name: string): boolean {
  return /^[a-z][A-Za-z0-9]*$/.test(name);
}

/** When the outcome is settled either way: the operand can be evaluated without throwing. */
function settled(o: Outcome): Alternatives {
  return o.safe ? [[]] : either(o.t, o.f);
}

/** Without alternatives that include another one (they can only hold when it does). */
function minimal(alternatives: Alternatives): Alternatives {
  return alternatives.filter((x, i) => !alternatives.some((y, j) => j !== i && y.every((name) => x.includes(name)) && (y.length < x.length || j < i)));
}

function either(a: Alternatives, b: Alternatives): Alternatives {
  return [...a, ...b].slice(0, MAX_ALTERNATIVES);
}

function both(a: Alternatives, b: Alternatives): Alternatives {
  const out: Alternatives = [];
  for (const x of a) for (const y of b) if (out.length < MAX_ALTERNATIVES) out.push([...new Set([...x, ...y])]);
  return out;
}
