import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { renderRoleTable } from './role-table.ts';

describe('docs/access.md', () => {
  it('shows the role table the code enforces', () => {
    const doc = readFileSync(new URL('../../../docs/access.md', import.meta.url), 'utf8');
    expect(doc).toContain(renderRoleTable());
  });
});
