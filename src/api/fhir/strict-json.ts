/**
 * A validating JSON scanner that rejects what `JSON.parse` silently accepts: duplicate keys
 * (JSON.parse keeps the last, so a second `"id"` could hide the first), nesting deeper than a
 * limit, and prototype-polluting keys (`__proto__`, `constructor.prototype`). It runs before
 * `JSON.parse` so a pathological document is refused before any object is built, and it reports
 * syntax errors with a line and column because V8's messages often carry no position.
 */
import { FhirError, issue } from '../../fhir/outcome.ts';

const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const OPEN_BRACKET = 91;
const CLOSE_BRACKET = 93;
const COMMA = 44;
const COLON = 58;
const MINUS = 45;
const PLUS = 43;
const DOT = 46;
const ZERO = 48;
const NINE = 57;

/**
 * Throws a FhirError `invalid` if `text` is not one well-formed JSON value, has duplicate keys in
 * an object, nests arrays/objects deeper than `maxDepth`, or has a `__proto__` key or a
 * `prototype` key inside a `constructor` object.
 */
export function scanJson(text: string, maxDepth: number): void {
  new Scanner(text, maxDepth).run();
}

class Scanner {
  private i = 0;
  /** Per open container: its key set (objects) or null (arrays). */
  private readonly keySets: (Set<string> | null)[] = [];
  /** Per open container: the key it is the value of (for `constructor.prototype`). */
  private readonly holders: (string | undefined)[] = [];
  private pendingKey: string | undefined;

  constructor(
    private readonly text: string,
    private readonly maxDepth: number,
  ) {}

  run(): void {
    const { text } = this;
    let expectValue = true;
    for (;;) {
      if (expectValue) {
        this.skipWhitespace();
        const c = text.charCodeAt(this.i);
        if (c === OPEN_BRACE || c === OPEN_BRACKET) {
          this.open(c === OPEN_BRACE);
          this.skipWhitespace();
          const next = text.charCodeAt(this.i);
          if (next === (c === OPEN_BRACE ? CLOSE_BRACE : CLOSE_BRACKET)) {
            this.close();
            expectValue = false;
          } else if (c === OPEN_BRACE) {
            this.readKey();
          }
          continue;
        }
        this.scalar(c);
        expectValue = false;
        continue;
      }
      this.skipWhitespace();
      const depth = this.keySets.length;
      if (depth === 0) {
        if (this.i < text.length) this.fail('Unexpected data after the JSON value');
        return;
      }
      const inObject = this.keySets[depth - 1] !== null;
      const c = text.charCodeAt(this.i);
      if (c === COMMA) {
        this.i++;
        if (inObject) this.readKey();
        else this.pendingKey = undefined;
        expectValue = true;
      } else if (c === (inObject ? CLOSE_BRACE : CLOSE_BRACKET)) {
        this.close();
      } else {
        this.fail(inObject ? "Expected ',' or '}' after a property value" : "Expected ',' or ']' after an array element");
      }
    }
  }

  private open(isObject: boolean): void {
    if (this.keySets.length >= this.maxDepth) this.fail(`JSON nesting is deeper than ${this.maxDepth} levels`);
    this.keySets.push(isObject ? new Set() : null);
    this.holders.push(this.pendingKey);
    this.pendingKey = undefined;
    this.i++;
  }

  private close(): void {
    this.keySets.pop();
    this.holders.pop();
    this.i++;
  }

  /** Reads `"key"` and the colon after it; checks the key against its object's other keys. */
  private readKey(): void {
    this.skipWhitespace();
    if (this.text.charCodeAt(this.i) !== QUOTE) this.fail('Expected a property name in double quotes');
    const start = this.i;
    const hasEscape = this.skipString();
    const key = hasEscape ? (JSON.parse(this.text.slice(start, this.i)) as string) : this.text.slice(start + 1, this.i - 1);
    if (key === '__proto__') this.fail('The key "__proto__" is not allowed', start);
    const depth = this.keySets.length;
    if (key === 'prototype' && this.holders[depth - 1] === 'constructor') this.fail('The key "constructor.prototype" is not allowed', start);
    const keys = this.keySets[depth - 1] as Set<string>;
    if (keys.has(key)) this.fail(`Duplicate property "${key}"`, start);
    keys.add(key);
    this.pendingKey = key;
    this.skipWhitespace();
    if (this.text.charCodeAt(this.i) !== COLON) this.fail("Expected ':' after a property name");
    this.i++;
  }

  private scalar(c: number): void {
    if (c === QUOTE) this.skipString();
    else if (c === MINUS || (c >= ZERO && c <= NINE)) this.skipNumber();
    else if (!this.literal('true') && !this.literal('false') && !this.literal('null')) {
      this.fail(this.i >= this.text.length ? 'Unexpected end of JSON input' : 'Unexpected token');
    }
  }

  private literal(word: string): boolean {
    if (!this.text.startsWith(word, this.i)) return false;
    this.i += word.length;
    return true;
  }

  /** Skips a string starting at the opening quote; returns whether it contained escapes. */
  private skipString(): boolean {
    const { text } = this;
    const start = this.i;
    let j = start + 1;
    let hasEscape = false;
    for (;;) {
      if (j >= text.length) this.fail('Unterminated string', start);
      const c = text.charCodeAt(j);
      if (c === QUOTE) break;
      if (c < 0x20) this.fail('Control character in string', j);
      if (c === BACKSLASH) {
        hasEscape = true;
        const e = text[j + 1];
        if (e === 'u') {
          if (!/^[0-9a-fA-F]{4}$/.test(text.slice(j + 2, j + 6))) this.fail('Invalid unicode escape', j);
          j += 6;
        } else if (e !== undefined && '"\\/bfnrt'.includes(e)) {
          j += 2;
        } else {
          this.fail('Invalid escape in string', j);
        }
        continue;
      }
      j++;
    }
    this.i = j + 1;
    return hasEscape;
  }

  private skipNumber(): void {
    const { text } = this;
    let j = this.i;
    if (text.charCodeAt(j) === MINUS) j++;
    const intStart = j;
    while (isDigit(text.charCodeAt(j))) j++;
    if (j === intStart) this.fail('Invalid number', this.i);
    if (text.charCodeAt(intStart) === ZERO && j - intStart > 1) this.fail('Leading zeros are not allowed', this.i);
    if (text.charCodeAt(j) === DOT) {
      const fracStart = ++j;
      while (isDigit(text.charCodeAt(j))) j++;
      if (j === fracStart) this.fail('Invalid number', this.i);
    }
    const e = text.charCodeAt(j);
    if (e === 101 || e === 69) {
      j++;
      const s = text.charCodeAt(j);
      if (s === PLUS || s === MINUS) j++;
      const expStart = j;
      while (isDigit(text.charCodeAt(j))) j++;
      if (j === expStart) this.fail('Invalid number', this.i);
    }
    this.i = j;
  }

  private skipWhitespace(): void {
    const { text } = this;
    let j = this.i;
    for (;;) {
      const c = text.charCodeAt(j);
      if (c !== 32 && c !== 10 && c !== 13 && c !== 9) break;
      j++;
    }
    this.i = j;
  }

  private fail(message: string, at: number = this.i): never {
    const { line, column } = lineAndColumn(this.text, at);
    throw new FhirError('invalid', [issue('invalid', `Invalid JSON: ${message} at line ${line} column ${column} (position ${at})`)]);
  }
}

function isDigit(c: number): boolean {
  return c >= ZERO && c <= NINE;
}

function lineAndColumn(text: string, at: number): { line: number; column: number } {
  let line = 1;
  let lineStart = 0;
  for (let k = text.indexOf('\n'); k !== -1 && k < at; k = text.indexOf('\n', k + 1)) {
    line++;
    lineStart = k + 1;
  }
  return { line, column: at - lineStart + 1 };
}
