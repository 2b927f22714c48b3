import { describe, expect, it } from 'vitest';
import { FhirApiError } from '../fhir/fhir-client.ts';
import { cursorOf, fieldErrors } from './admin-views.ts';

describe('admin API answers', () => {
  it('reads the cursor of a next link', () => {
    expect(cursorOf('https://ehr.example/admin/v1/users?role=nurse&_cursor=YWJj')).toBe('YWJj');
    expect(cursorOf(undefined)).toBeUndefined();
  });

  it('puts each refusal at the field it names, list items at their list', () => {
    const error = new FhirApiError('bad', 400, {
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'error', code: 'invalid', details: { text: 'Not https' }, expression: ['redirect_uris[1]'] },
        { severity: 'error', code: 'invalid', diagnostics: 'Unknown scope', expression: ['scope'] },
        { severity: 'error', code: 'invalid', details: { text: 'Try again' } },
      ],
    });
    expect(fieldErrors(error)).toEqual({ redirect_uris: 'Not https', scope: 'Unknown scope', '': 'Try again' });
    expect(fieldErrors(new Error('x'))).toEqual({});
  });
});
