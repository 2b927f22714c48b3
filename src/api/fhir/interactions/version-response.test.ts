/** Read responses carry the stored text unparsed; HTTP dates match `Date#toUTCString`. */
import { describe, expect, it } from 'vitest';
import type { StoredVersion } from '../../../store/store.ts';
import { httpDate, readResponse } from './version-response.ts';

describe('httpDate', () => {
  it('formats store instants exactly like Date#toUTCString', () => {
    const instants = ['2024-02-29T00:00:00.000Z', '2000-03-01T23:59:59.999Z', '1999-12-31T23:59:59Z', '2100-03-01T12:00:00.5Z', '1970-01-01T00:00:00.000Z'];
    for (let ms = -1e12; ms < 7e12; ms += 7_777_777_777) instants.push(new Date(ms).toISOString());
    for (const instant of instants) expect(httpDate(instant), instant).toBe(new Date(instant).toUTCString());
  });

  it('falls back to Date for other forms', () => {
    expect(httpDate('2024-03-01T10:20:30+02:00')).toBe('Fri, 01 Mar 2024 08:20:30 GMT');
    expect(httpDate('2024-13-01T00:00:00Z')).toBe('Invalid Date');
  });
});

describe('readResponse', () => {
  const base = { resourceType: 'Patient', id: 'p1', versionId: '3', lastUpdated: '2024-03-01T10:20:30.456Z', deleted: false, method: 'PUT' } as const;
  const resource = { resourceType: 'Patient' as const, id: 'p1', meta: { versionId: '3', lastUpdated: base.lastUpdated } };

  it('sends the stored text as rawBody, with body parsed only when asked for', () => {
    let parsed = 0;
    const json = JSON.stringify(resource);
    const v = { ...base, json, get resource() { parsed++; return JSON.parse(json); } } as StoredVersion;
    const res = readResponse(v);
    expect(res).toMatchObject({ status: 200, rawBody: json, headers: { etag: 'W/"3"', lastModified: 'Fri, 01 Mar 2024 10:20:30 GMT' } });
    expect(parsed).toBe(0);
    expect(res.body).toEqual(resource);
    expect(parsed).toBe(1);
  });

  it('forgets rawBody when body is replaced', () => {
    const res = readResponse({ ...base, json: JSON.stringify(resource), resource } as StoredVersion);
    res.body = { resourceType: 'Patient', id: 'other' };
    expect(res.rawBody).toBeUndefined();
    expect(res.body).toEqual({ resourceType: 'Patient', id: 'other' });
  });

  it('without stored text: a plain body', () => {
    const res = readResponse({ ...base, resource });
    expect(res.rawBody).toBeUndefined();
    expect(res.body).toBe(resource);
  });
});
