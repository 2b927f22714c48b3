/**
 * Note templates: a title and sections with starting text. A practice keeps its own as FHIR
 * `Basic` resources (code `note-template`, the sections as Markdown in an extension), editable
 * by its clinicians; Heron's two SOAP templates are offered too, unless the practice saved its own
 * under the same title.
 * Placeholders `@VITALS@`, `@PROBLEMS@`, `@MEDS@`, `@ALLERGIES@` in a template's text are filled
 * with chart data (chart-inserts.ts) when the note is started.
 */
import type { Basic } from '@medplum/fhirtypes';
import type { InsertKind } from './chart-inserts.ts';
import { noteMarkdown, parseNote, type NoteSection } from './note-text.ts';

export const TEMPLATE_KIND_SYSTEM = 'https://heron.dev/fhir/CodeSystem/basic-kind';
export const TEMPLATE_TITLE_URL = 'https://heron.dev/fhir/StructureDefinition/note-template-title';
export const TEMPLATE_TEXT_URL = 'https://heron.dev/fhir/StructureDefinition/note-template-text';

export interface NoteTemplate {
  /** The Basic's id; `builtin-…` for Heron's own. */
  id: string;
  title: string;
  sections: NoteSection[];
  stored?: Basic;
}

export const BUILT_IN_TEMPLATES: readonly NoteTemplate[] = [
  {
    id: 'builtin-follow-up',
    title: 'Follow-up visit (SOAP)',
    sections: [
      { title: 'Subjective', text: 'Follow-up of: \nSince last visit: ' },
      { title: 'Objective', text: 'Exam: ' },
      { title: 'Assessment', text: '' },
      { title: 'Plan', text: 'Follow up in ' },
    ],
  },
  {
    id: 'builtin-new-problem',
    title: 'New problem (SOAP)',
    sections: [
      { title: 'Subjective', text: 'Chief complaint: \nHistory of present illness: \n@MEDS@\n@ALLERGIES@' },
      { title: 'Objective', text: '@VITALS@\nExam: ' },
      { title: 'Assessment', text: '@PROBLEMS@' },
      { title: 'Plan', text: '' },
    ],
  },
];

export const PLACEHOLDERS: Record<InsertKind, string> = { vitals: '@VITALS@', problems: '@PROBLEMS@', medications: '@MEDS@', allergies: '@ALLERGIES@' };

/** The chart data a template asks for. */
export function placeholdersIn(template: NoteTemplate): InsertKind[] {
  const text = template.sections.map((s) => s.text).join('\n');
  return (Object.keys(PLACEHOLDERS) as InsertKind[]).filter((k) => text.includes(PLACEHOLDERS[k]));
}

/** The template's sections with each placeholder replaced by its block (or dropped when no data was given). */
export function expandTemplate(template: NoteTemplate, blocks: Partial<Record<InsertKind, string>>): NoteSection[] {
  return template.sections.map((s) => {
    let text = s.text;
    for (const [kind, token] of Object.entries(PLACEHOLDERS) as [InsertKind, string][]) {
      text = text.split(token).join(blocks[kind] ?? '');
    }
    return { title: s.title, text: text.replace(/\n{3,}/g, '\n\n').replace(/^\n+/, '').replace(/\n{2,}$/, '\n') };
  });
}

export function isTemplate(basic: Basic): boolean {
  return basic.code.coding?.some((c) => c.system === TEMPLATE_KIND_SYSTEM && c.code === 'note-template') ?? false;
}

export function templateFromBasic(basic: Basic): NoteTemplate {
  const title = basic.extension?.find((e) => e.url === TEMPLATE_TITLE_URL)?.valueString ?? 'Untitled template';
  const text = basic.extension?.find((e) => e.url === TEMPLATE_TEXT_URL)?.valueMarkdown ?? '';
  return { id: basic.id ?? '', title, sections: parseNote(text), stored: basic };
}

/** The Basic resource storing a template (an edit keeps the stored resource's other elements). */
export function basicFromTemplate(template: Pick<NoteTemplate, 'title' | 'sections'>, stored?: Basic): Basic {
  const others = (stored?.extension ?? []).filter((e) => e.url !== TEMPLATE_TITLE_URL && e.url !== TEMPLATE_TEXT_URL);
  return {
    ...(stored ?? {}),
    resourceType: 'Basic',
    code: { coding: [{ system: TEMPLATE_KIND_SYSTEM, code: 'note-template', display: 'Note template' }] },
    extension: [...others, { url: TEMPLATE_TITLE_URL, valueString: template.title }, { url: TEMPLATE_TEXT_URL, valueMarkdown: noteMarkdown(template.sections) }],
  };
}

/** The practice's templates, then Heron's (one the practice saved under the same title replaces Heron's). */
export function availableTemplates(stored: readonly Basic[]): NoteTemplate[] {
  const own = stored.filter(isTemplate).map(templateFromBasic).sort((a, b) => a.title.localeCompare(b.title));
  return [...own, ...BUILT_IN_TEMPLATES.filter((b) => !own.some((t) => t.title === b.title))];
}
