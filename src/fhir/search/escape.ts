/**
 * FHIR search value escaping: `\,` `\|` `\$` `\\` stand for the literal characters, so a comma
 * inside a value does not start a new OR-ed value and a bar does not split `system|code`.
 * @see https://hl7.org/fhir/R4/search.html#escaping
 */

/** Splits at every unescaped `separator`, keeping escapes in the parts (unescape each part later). */
export function splitUnescaped(value: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    if (c === '\\' && i + 1 < value.length) {
      current += c + value[i + 1];
      i++;
    } else if (c === separator) {
      parts.push(current);
      current = '';
    } else {
      current += c;
    }
  }
  parts.push(current);
  return parts;
}

/** Removes search escapes (`\,` -> `,`, `\|` -> `|`, `\$` -> `$`, `\\` -> `\`). */
export function unescapeSearch(value: string): string {
  return value.includes('\\') ? value.replace(/\\([,|$\\])/g, '$1') : value;
}

/** Escapes a literal value for a search parameter (the inverse of `unescapeSearch`). */
export function escapeSearch(value: string): string {
  return value.replace(/[\\,|$]/g, (c) => '\\' + c);
}
