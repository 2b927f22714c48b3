import { describe, expect, it } from 'vitest';
import { FhirError } from '../../fhir/outcome.ts';
import { SAMPLE_FILES } from '../../../tests/fixtures/document-files.ts';
import { checkBinaryContent } from './binary-content.ts';


const binary = (contentType: string, bytes: Buffer) => ({ resourceType: 'Binary' as const, contentType, data: bytes.toString('base64') });

async function refusal(promise: Promise<unknown>): Promise<{ category: string; text: string }> {
  try {
    await promise;
  } catch (err) {
    if (err instanceof FhirError) return { category: err.category, text: err.issues.map((i) => i.diagnostics).join(' ') };
    throw err;
  }
  throw new Error('expected a refusal');
}

describe('Binary content', () => {
  it('accepts each allowed type whose bytes are of that type', async () => {
    for (const [type, bytes] of [['application/pdf', SAMPLE_FILES.pdf], ['image/png', SAMPLE_FILES.png], ['image/jpeg', SAMPLE_FILES.jpeg], ['image/webp', SAMPLE_FILES.webp], ['image/heic', SAMPLE_FILES.heic], ['text/plain; charset=utf-8', SAMPLE_FILES.text]] as const) {
      expect((await checkBinaryContent(binary(type, bytes))).length, type).toBe(bytes.length);
    }
  });

  it('refuses other types, content that is not what it says, empty and oversized files', async () => {
    expect(await refusal(checkBinaryContent(binary('text/html', SAMPLE_FILES.html)))).toMatchObject({ category: 'unsupported-media-type', text: expect.stringContaining('application/pdf, image/png') });
    expect(await refusal(checkBinaryContent(binary('application/pdf', SAMPLE_FILES.png)))).toMatchObject({ category: 'unprocessable', text: expect.stringContaining('image/png, not application/pdf') });
    expect(await refusal(checkBinaryContent(binary('image/png', SAMPLE_FILES.html)))).toMatchObject({ category: 'unprocessable', text: expect.stringContaining('text, not image/png') });
    expect(await refusal(checkBinaryContent(binary('text/plain', SAMPLE_FILES.pdf)))).toMatchObject({ category: 'unprocessable' });
    expect(await refusal(checkBinaryContent(binary('text/plain', Buffer.from([0x41, 0x00, 0x42]))))).toMatchObject({ category: 'unprocessable' });
    expect(await refusal(checkBinaryContent(binary('application/pdf', Buffer.alloc(0))))).toMatchObject({ category: 'invalid' });
    expect(await refusal(checkBinaryContent(binary('application/pdf', SAMPLE_FILES.pdf), 10))).toMatchObject({ category: 'too-large', text: expect.stringContaining('10 bytes') });
  });
});
