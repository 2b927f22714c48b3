/**
 * Collects bind parameters while search SQL is assembled. Parameters are positional (`?`), so
 * fragments must be built in the order they appear in the final text.
 */
import { FhirError } from '../../../fhir/outcome.ts';

export class Binder {
  readonly params: unknown[] = [];
  private aliases = 0;

  /** `dialect` picks the one index hint SQLite needs (see `plan.ts`); others ignore it. */
  constructor(
    readonly tenant: string,
    readonly dialect: 'sqlite' | 'postgres' | undefined = undefined,
  ) {}

  /** Adds one value and returns its placeholder. */
  bind(value: unknown): string {
    this.params.push(value === undefined ? null : value);
    return '?';
  }

  /** Adds several values and returns `?, ?, ?`. */
  list(values: readonly unknown[]): string {
    return values.map((v) => this.bind(v)).join(', ');
  }

  /**
   * Ends a correlated `EXISTS (…)` that must stay a probe of the one row. PostgreSQL otherwise
   * turns the EXISTS into a semi-join and may hash every match of the practice first, where a
   * walk in index order wants a handful of index probes; an OFFSET keeps it a per-row subplan.
   */
  probeEnd(): string {
    return this.dialect === 'postgres' ? ' OFFSET 0' : '';
  }

  /** A fresh table alias, so nested subqueries never shadow each other. */
  alias(prefix: string): string {
    return prefix + ++this.aliases;
  }
}

/** Raised for search features the SQL store does not implement (yet). */
export function unsupported(what: string): FhirError {
  return new FhirError('invalid', [{ severity: 'error', code: 'not-supported', diagnostics: `Search: ${what} is not supported` }]);
}

/** Escapes `%`, `_` and `\` for `LIKE ... ESCAPE '\'`. */
export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => '\\' + c);
}

/** Sorts after every string that starts with the prefix (byte order in both databases). */
export const PREFIX_END = '\u{10FFFF}';
