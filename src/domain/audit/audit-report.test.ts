import { describe, expect, it } from 'vitest';
import type { StoredAuditEntry } from '../../store/audit-log.ts';
import { csvField, REPORT_WRITERS, reportRow } from './audit-report.ts';

const entry: StoredAuditEntry = {
  tenant: 't',
  seq: 7,
  recorded: Date.UTC(2026, 10, 1, 8, 30),
  action: 'read',
  outcome: 'success',
  agentKind: 'user',
  agentId: 'u-1',
  agentRole: 'nurse',
  clientId: 'app-1',
  resourceType: 'Patient',
  entities: ['Patient/p1', 'Observation/o1'],
  patients: ['Patient/p1'],
  ip: '10.0.0.7',
  userAgent: 'Mozilla/5.0',
  purpose: 'ETREAT',
  reason: 'Unconscious, "no" ID, allergies?',
  prevHash: '0',
  hash: '1',
};

describe('csvField', () => {
  it('quotes fields with commas, quotes and line breaks as RFC 4180 says, and leaves others alone', () => {
    expect(csvField('plain text')).toBe('plain text');
    expect(csvField('')).toBe('');
    expect(csvField('a,b')).toBe('"a,b"');
    expect(csvField('say "hi"')).toBe('"say ""hi"""');
    expect(csvField('two\nlines')).toBe('"two\nlines"');
    expect(csvField('two\r\nlines')).toBe('"two\r\nlines"');
  });

  it.each(['=1+1', '+1', '-1', '@SUM(A1)', '\tx', '\rx'])('makes %j text for spreadsheets with a leading apostrophe', (value) => {
    const field = csvField(value);
    const unquoted = field.startsWith('"') ? field.slice(1, -1) : field;
    expect(unquoted).toBe(`'${value}`);
  });

  it('guards before quoting, so the apostrophe sits inside the quotes', () => {
    expect(csvField('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
    expect(csvField('a=1')).toBe('a=1');
  });
});

describe('report writers', () => {
  it('CSV: a header and one record per entry with every column', () => {
    const csv = REPORT_WRITERS.csv;
    expect(csv.header).toBe('id,recorded,agent_kind,agent,role,client,action,interaction,resource_type,entities,patients,outcome,failure,ip,user_agent,purpose,reason');
    expect(csv.record(reportRow(entry))).toBe(
      '7,2026-11-01T08:30:00.000Z,user,u-1,nurse,app-1,R,read,Patient,Patient/p1 Observation/o1,Patient/p1,success,,10.0.0.7,Mozilla/5.0,ETREAT,"Unconscious, ""no"" ID, allergies?"',
    );
    expect(csv.terminator).toBe('\r\n');
  });

  it('a failure shows its kind as the failure, not as a stated reason', () => {
    const row = reportRow({ ...entry, outcome: 'failure', reason: 'forbidden', purpose: undefined });
    expect([row.outcome, row.failure, row.reason]).toEqual(['failure', 'forbidden', '']);
  });

  it('NDJSON: one object per entry, empty columns as null', () => {
    const line = REPORT_WRITERS.ndjson.record(reportRow({ ...entry, userAgent: undefined }));
    expect(JSON.parse(line)).toMatchObject({ id: '7', agent: 'u-1', entities: ['Patient/p1', 'Observation/o1'], userAgent: null, action: 'R' });
  });

  it('text: one line per entry, control characters shown rather than sent to the terminal', () => {
    const line = REPORT_WRITERS.text.record(reportRow(entry));
    expect(line).toContain('2026-11-01T08:30:00.000Z');
    expect(line).toContain('user u-1 (nurse) via app-1');
    expect(line).toContain('patients: Patient/p1');
    const hostile = REPORT_WRITERS.text.record(reportRow({ ...entry, agentId: 'u\u001b[2J', agentRole: 'x\u009b' }));
    expect(hostile).not.toMatch(/[\u0000-\u001f\u007f-\u009f]/);
    expect(hostile).toContain('user u\\u001b[2J (x\\u009b)');
  });
});
