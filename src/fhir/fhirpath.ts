/**
 * The one door to FHIRPath. Everything in Heron that evaluates FHIRPath (search extraction,
 * FHIRPath Patch) compiles expressions here, so parsing happens once per expression and the
 * evaluator can be swapped in one place.
 *
 * Dotted paths (with a final `as T` or `where(resolve() is T)`) go through the exact fast path
 * in `simple-path.ts`; the rest through medplum's evaluator. Both return values typed by the R4
 * definitions, and evaluation errors become FhirError `invalid`.
 * @see https://hl7.org/fhirpath/N1/
 */
import { evalFhirPathTyped, parseFhirPath, toTypedValue } from '@medplum/core';
import type { FhirPathAtom } from '@medplum/core';
import { ensureDefinitions } from './definitions.ts';
import { FhirError, issue } from './outcome.ts';
import { evaluateSimplePath, parseSimplePath } from './simple-path.ts';
import type { TypedValue } from './simple-path.ts';

export type { TypedValue } from './simple-path.ts';

/** A parsed expression, ready to evaluate many times. */
export interface CompiledFhirPath {
  readonly expression: string;
  /** Evaluates against a resource (typed by its `resourceType`), returning typed results. */
  evaluate(input: unknown): TypedValue[];
  /** Evaluates against values whose types the caller knows, with optional `%variables`. */
  evaluateTyped(input: TypedValue[], variables?: Record<string, TypedValue>): TypedValue[];
}

export interface CompileOptions {
  /** Use medplum's evaluator even for dotted paths (to cross-check the fast path). */
  general?: boolean;
}

/** Bounded so client-supplied expressions (FHIRPath Patch) cannot grow it without limit. */
const MAX_CACHED = 2_000;
const cache = new Map<string, CompiledFhirPath>();

/** Compiles (or fetches from the cache) an expression. Throws FhirError `invalid` if it does not parse. */
export function compileFhirPath(expression: string, options: CompileOptions = {}): CompiledFhirPath {
  const key = (options.general ? 'g:' : 'f:') + expression;
  let compiled = cache.get(key);
  if (!compiled) {
    ensureDefinitions();
    compiled = build(expression, options);
    if (cache.size >= MAX_CACHED) cache.delete(cache.keys().next().value as string);
    cache.set(key, compiled);
  }
  return compiled;
}

/** Compiles and evaluates in one go (cached). */
export function evaluateFhirPath(expression: string, input: unknown): TypedValue[] {
  return compileFhirPath(expression).evaluate(input);
}

/** Wraps a plain value as FHIRPath input: resources get their type, other values a best guess. */
export function typed(input: unknown): TypedValue {
  return toTypedValue(input);
}

function build(expression: string, options: CompileOptions): CompiledFhirPath {
  let atom: FhirPathAtom;
  try {
    atom = parseFhirPath(expression);
  } catch (err) {
    throw new FhirError('invalid', [issue('invalid', `Invalid FHIRPath expression "${expression}": ${message(err)}`)]);
  }
  const simple = options.general ? undefined : parseSimplePath(expression);
  const general = (input: TypedValue[], variables: Record<string, TypedValue> = {}): TypedValue[] => {
    try {
      return evalFhirPathTyped(atom, input, variables);
    } catch (err) {
      throw new FhirError('invalid', [issue('invalid', `FHIRPath evaluation failed for "${expression}": ${message(err)}`)]);
    }
  };
  const evaluateTyped = (input: TypedValue[], variables?: Record<string, TypedValue>): TypedValue[] => {
    if (simple && !variables) {
      const fast = evaluateSimplePath(simple, input);
      if (fast) return fast;
    }
    return general(input, variables);
  };
  return {
    expression,
    evaluate: (input) => evaluateTyped([toTypedValue(input)]),
    evaluateTyped,
  };
}

function message(err: unknown): string {
  return err instanceof Error ? err.message : String(err);
}
