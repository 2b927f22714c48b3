/**
 * A visit note's text: titled sections (Subjective, Objective, Assessment, Plan…), stored as one
 * Markdown attachment (`## Title` per section) that any system can read, and read back into
 * sections for editing. Word count for the note-bloat guard (UX-08).
 */

export interface NoteSection {
  title: string;
  text: string;
}

/** The Markdown stored in the note's attachment. */
export function noteMarkdown(sections: readonly NoteSection[]): string {
  // Only blank lines are trimmed: a template's "Exam: " keeps its space for what is typed after it.
  return sections.map((s) => `## ${s.title}\n\n${trimLines(s.text)}\n`).join('\n');
}

/** Sections from stored Markdown; text before any heading becomes a "Note" section. */
export function parseNote(markdown: string): NoteSection[] {
  const sections: NoteSection[] = [];
  let current: NoteSection | undefined;
  const lead: string[] = [];
  for (const line of markdown.split('\n')) {
    const heading = /^## (.+)$/.exec(line);
    if (heading) {
      if (current) sections.push(current);
      current = { title: heading[1]!.trim(), text: '' };
    } else if (current) current.text += `${line}\n`;
    else lead.push(line);
  }
  if (current) sections.push(current);
  const before = lead.join('\n').trim();
  const all = before ? [{ title: 'Note', text: before }, ...sections] : sections;
  return all.map((s) => ({ title: s.title, text: trimLines(s.text) }));
}

function trimLines(text: string): string {
  return text.replace(/^\s*\n/, '').replace(/\n\s*$/, '');
}

/** Words as a reader counts them: runs of letters or digits (punctuation and markup do not count). */
export function wordCount(text: string): number {
  return text.match(/[\p{L}\p{N}]+(?:['’.\-/][\p{L}\p{N}]+)*/gu)?.length ?? 0;
}

export function sectionsWordCount(sections: readonly NoteSection[]): number {
  return sections.reduce((n, s) => n + wordCount(s.text), 0);
}

/** UTF-8 text as base64 (an attachment's `data`). */
export function textToBase64(text: string): string {
  const bytes = new TextEncoder().encode(text);
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary);
}

export function base64ToText(data: string): string {
  const binary = atob(data);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return new TextDecoder().decode(bytes);
}
