import type { Communication } from '@medplum/fhirtypes';
import { describe, expect, it } from 'vitest';
import { checkAttachment, isUnread, newMessage, patientReply, threadOf, threadsOf } from './threads.ts';

const msg = (id: string, sent: string, from: string, extra: Partial<Communication> = {}): Communication => ({ resourceType: 'Communication', id, status: 'completed', sent, sender: { reference: from }, subject: { reference: 'Patient/p1' }, ...extra });
const answering = (id: string) => ({ inResponseTo: [{ reference: `Communication/${id}` }] });

describe('message threads', () => {
  const first = msg('m1', '2026-12-01T10:00:00Z', 'Patient/p1', { topic: { text: 'My rash' }, recipient: [{ reference: 'Practitioner/doc' }] });
  const reply = msg('m2', '2026-12-01T12:00:00Z', 'Practitioner/nurse', { ...answering('m1'), topic: { text: 'My rash' } });
  const again = msg('m3', '2026-12-02T09:00:00Z', 'Patient/p1', answering('m2'));
  const other = msg('m4', '2026-12-01T11:00:00Z', 'Patient/p1', { topic: { text: 'Refill' } });

  it('groups a chain of answers into one thread, newest activity first, oldest message first within', () => {
    const threads = threadsOf([again, other, reply, first]);
    expect(threads.map((t) => [t.id, t.subject, t.messages.map((m) => m.id)])).toEqual([
      ['m1', 'My rash', ['m1', 'm2', 'm3']],
      ['m4', 'Refill', ['m4']],
    ]);
    expect(threadOf([first, reply, other], again)?.id).toBe('m1');
  });

  it('starts a thread at a message whose earlier one is not visible, and survives a loop', () => {
    const orphan = msg('m5', '2026-12-03T09:00:00Z', 'Practitioner/doc', answering('gone'));
    const loopA = msg('a', '2026-12-03T09:00:00Z', 'Patient/p1', answering('b'));
    const loopB = msg('b', '2026-12-03T10:00:00Z', 'Patient/p1', answering('a'));
    expect(threadsOf([orphan]).map((t) => t.id)).toEqual(['m5']);
    expect(threadsOf([loopA, loopB]).flatMap((t) => t.messages.map((m) => m.id)).sort()).toEqual(['a', 'b']);
  });

  it('is unread when the care team wrote last, after the patient last looked', () => {
    const [thread] = threadsOf([first, reply]);
    expect(isUnread(thread!, undefined)).toBe(true);
    expect(isUnread(thread!, '2026-12-01T11:00:00Z')).toBe(true);
    expect(isUnread(thread!, '2026-12-01T12:00:00Z')).toBe(false);
    expect(isUnread(threadsOf([first])[0]!, undefined)).toBe(false);
  });

  it('addresses a new message to the care team and a reply to whoever of it wrote last, answering the last message', () => {
    const base = { patientId: 'p1', sender: 'Patient/p1', at: '2026-12-04T00:00:00Z', attachments: [{ url: 'Binary/b1', contentType: 'image/png', title: 'arm.png' }] };
    const made = newMessage({ ...base, subject: ' Rash ', text: ' It is back. ', recipients: [{ reference: 'Practitioner/doc' }] });
    expect(made).toMatchObject({ status: 'in-progress', topic: { text: 'Rash' }, recipient: [{ reference: 'Practitioner/doc' }], payload: [{ contentString: 'It is back.' }, { contentAttachment: { url: 'Binary/b1' } }] });
    const [thread] = threadsOf([first, reply]);
    const answer = patientReply(thread!, { ...base, text: 'Thanks', attachments: [] });
    expect(answer).toMatchObject({ inResponseTo: [{ reference: 'Communication/m2' }], recipient: [{ reference: 'Practitioner/nurse' }], topic: { text: 'My rash' } });
    expect(patientReply(threadsOf([first])[0]!, { ...base, text: 'More', attachments: [] }).recipient).toEqual([{ reference: 'Practitioner/doc' }]);
  });

  it("checks a file against the practice's limits by its bytes, not its name", () => {
    const limits = { maxMegabytes: 1, types: ['application/pdf', 'image/png'] };
    const png = new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a, 0, 0, 0, 0]);
    const jpeg = new Uint8Array([0xff, 0xd8, 0xff, 0xe0]);
    expect(checkAttachment({ name: 'arm.png', size: 2000, type: 'image/png' }, png, limits)).toEqual({ ok: true, contentType: 'image/png' });
    expect(checkAttachment({ name: 'arm.png', size: 2000, type: 'image/png' }, jpeg, limits)).toEqual({ ok: false, message: '“arm.png” cannot be sent. You can attach: PDF or PNG picture, up to 1 MB each.' });
    expect(checkAttachment({ name: 'big.png', size: 1024 * 1024 + 1, type: 'image/png' }, png, limits)).toMatchObject({ ok: false, message: expect.stringContaining('too large') });
    expect(checkAttachment({ name: 'empty.pdf', size: 0, type: 'application/pdf' }, png, limits)).toMatchObject({ ok: false });
  });
});
