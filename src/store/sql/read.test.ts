/** Rows to versions: the stored text travels as `json` and `resource` is parsed only when used. */
import { describe, expect, it } from 'vitest';
import { toStoredVersion, type VersionRow } from './read.ts';

const text = '{"resourceType":"Patient","id":"p1","meta":{"versionId":"2","lastUpdated":"2024-03-01T10:20:30.456Z"},"name":[{"family":"Müller"}]}';
const row = (o: Partial<VersionRow> = {}): VersionRow => ({ type: 'Patient', id: 'p1', version_id: 2, last_updated: Date.parse('2024-03-01T10:20:30.456Z'), deleted: 0, method: 'PUT', content: text, ...o });

describe('toStoredVersion', () => {
  it('keeps the stored text as json and parses resource on demand, once', () => {
    const v = toStoredVersion(row());
    expect(v.json).toBe(text);
    expect(v).toMatchObject({ resourceType: 'Patient', id: 'p1', versionId: '2', lastUpdated: '2024-03-01T10:20:30.456Z', deleted: false, method: 'PUT' });
    expect(v.resource).toEqual(JSON.parse(text));
    expect(v.resource).toBe(v.resource);
  });

  it('looks like a plain version to copies and comparisons: resource included, json left out', () => {
    const v = toStoredVersion(row());
    const plain = { resourceType: 'Patient', id: 'p1', versionId: '2', lastUpdated: '2024-03-01T10:20:30.456Z', deleted: false, method: 'PUT', resource: JSON.parse(text) };
    expect(v).toEqual(plain);
    expect(Object.keys(v).sort()).toEqual(Object.keys(plain).sort());
    const copy = { ...v };
    expect(copy.resource).toEqual(plain.resource);
    expect('json' in copy).toBe(false);
    expect(JSON.parse(JSON.stringify(v))).toEqual(plain);
  });

  it('drops json once resource is replaced, so the text never disagrees with the resource', () => {
    const v = toStoredVersion(row());
    v.resource = { resourceType: 'Patient', id: 'p1', gender: 'other' };
    expect(v.json).toBeUndefined();
    expect(v.resource).toEqual({ resourceType: 'Patient', id: 'p1', gender: 'other' });
  });

  it('deleted versions have neither resource nor json', () => {
    const v = toStoredVersion(row({ deleted: 1, method: 'DELETE', content: null }));
    expect(v).toEqual({ resourceType: 'Patient', id: 'p1', versionId: '2', lastUpdated: '2024-03-01T10:20:30.456Z', deleted: true, method: 'DELETE' });
    expect(v.json).toBeUndefined();
  });
});
