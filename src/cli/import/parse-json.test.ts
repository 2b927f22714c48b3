import { describe, expect, it } from 'vitest';
import { parseJson } from './parse-json.ts';

describe('parseJson', () => {
  it('parses valid JSON', () => {
    expect(parseJson('{"resourceType":"Patient","name":[{"family":"Ã"}]}')).toEqual({ ok: true, value: { resourceType: 'Patient', name: [{ family: 'Ã' }] } });
  });

  it('gives line and column of a syntax error, with the position taken out of the message', () => {
    const result = parseJson('{\n  "resourceType": "Patient",\n  "id": "x",,\n}');
    expect(result).toMatchObject({ ok: false, line: 3, column: 13 });
    expect(result.ok || result.message).toMatch(/^Invalid JSON: /);
    expect(result.ok || result.message).not.toMatch(/line 3/);
  });

  it.each([
    ['{"resourceType":"Patient","__proto__":{"admin":true}}', /__proto__/],
    ['{"resourceType":"Patient","id":"a","id":"b"}', /[Dd]uplicate/],
    ['['.repeat(100) + ']'.repeat(100), /[Dd]epth|deep|nest/],
  ])('refuses what the API refuses: %s', (text, message) => {
    const result = parseJson(text);
    expect(result.ok).toBe(false);
    expect(result.ok || result.message).toMatch(message);
  });
});
