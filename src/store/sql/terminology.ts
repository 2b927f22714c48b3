/** The terminology store in SQL (`terminology_*`, from migration 0014). */
import { conceptWords, displayKey, type ConceptFilter } from '../../fhir/terminology/words.ts';
import type { ExpansionPage, TermConcept, TermResource, TerminologyStore } from '../terminology.ts';
import { stmt, type SqlConn, type SqlDriver, type Stmt } from './dialect.ts';

/** Concepts per INSERT (11 parameters each). */
const CONCEPT_CHUNK = 250;
/** Word rows per INSERT (2 parameters each). */
const WORD_CHUNK = 1000;
/** Concept ids per IN list. */
const ID_CHUNK = 500;
/** Above every character a folded word holds in practice: `word < term + TOP` ends a prefix range. */
const TOP = '\uffff';

const PUT_RESOURCE = stmt(
  'INSERT INTO terminology_resources (resource_type, url, id, content) VALUES (?, ?, ?, ?) ' +
    'ON CONFLICT (resource_type, url) DO UPDATE SET id = excluded.id, content = excluded.content',
);
const RESOURCE_BY_URL = stmt('SELECT resource_type, url, id, content FROM terminology_resources WHERE resource_type = ? AND url = ?');
const RESOURCE_BY_ID = stmt('SELECT resource_type, url, id, content FROM terminology_resources WHERE resource_type = ? AND id = ?');
const RESOURCES = stmt('SELECT resource_type, url, id, content FROM terminology_resources WHERE resource_type = ? ORDER BY url');
const DELETE_RULES = stmt('DELETE FROM terminology_rules WHERE value_set = ?');
const INSERT_RULE = stmt('INSERT INTO terminology_rules (value_set, system, kind) VALUES (?, ?, ?) ON CONFLICT DO NOTHING');
const DELETE_MEMBERS = stmt('DELETE FROM terminology_members WHERE value_set = ?');
const INSERT_MEMBERS = stmt(
  'INSERT INTO terminology_members (value_set, concept_id) SELECT DISTINCT r.value_set, c.concept_id ' +
    "FROM terminology_rules r JOIN terminology_concepts c ON c.system = r.system AND (r.kind = '' OR c.kind = r.kind) " +
    'WHERE r.value_set = ? AND c.inactive = 0 ON CONFLICT DO NOTHING',
);
const COUNT_CONCEPTS = stmt('SELECT COUNT(*) AS n FROM terminology_concepts WHERE system = ?');
const CONCEPT_COLUMNS = 'c.system, c.code, c.display, c.kind, c.inactive, c.designations, c.properties';
const LOOKUP = stmt(`SELECT ${CONCEPT_COLUMNS} FROM terminology_concepts c WHERE c.system = ? AND c.code = ?`);
const COUNT_MEMBERS = stmt('SELECT COUNT(*) AS n FROM terminology_members WHERE value_set = ?');
const UNFILTERED = stmt(
  `SELECT ${CONCEPT_COLUMNS} FROM terminology_members m JOIN terminology_concepts c ON c.concept_id = m.concept_id ` +
    'WHERE m.value_set = ? ORDER BY c.display_key, c.code LIMIT ? OFFSET ?',
);

interface ConceptRow {
  system: string;
  code: string;
  display: string;
  kind: string;
  inactive: number | string;
  designations: string | null;
  properties: string | null;
  total?: number | string;
}

interface ResourceRow {
  resource_type: TermResource['resourceType'];
  url: string;
  id: string;
  content: string;
}

export function sqlTerminology(driver: SqlDriver): TerminologyStore {
  const reader = driver.reader;
  return {
    async putResource(r) {
      await driver.transaction(async (conn) => void (await conn.run(PUT_RESOURCE, [r.resourceType, r.url, r.id, r.content])));
    },

    async getResource(resourceType, key) {
      const row = 'url' in key ? await reader.get<ResourceRow>(RESOURCE_BY_URL, [resourceType, key.url]) : await reader.get<ResourceRow>(RESOURCE_BY_ID, [resourceType, key.id]);
      return row === undefined ? undefined : resourceOf(row);
    },

    async listResources(resourceType) {
      return (await reader.all<ResourceRow>(RESOURCES, [resourceType])).map(resourceOf);
    },

    async defineValueSet(url, rules) {
      await driver.transaction(async (conn) => {
        await conn.run(DELETE_RULES, [url]);
        for (const rule of rules) for (const kind of rule.kinds ?? ['']) await conn.run(INSERT_RULE, [url, rule.system, kind]);
        await conn.run(DELETE_MEMBERS, [url]);
        await conn.run(INSERT_MEMBERS, [url]);
      });
    },

    async putConcepts(concepts) {
      if (concepts.length === 0) return;
      // The last of two rows with one code wins, as a later load would.
      const unique = [...new Map(concepts.map((c) => [`${c.system}\u0000${c.code}`, c])).values()];
      await driver.transaction(async (conn) => {
        for (let i = 0; i < unique.length; i += CONCEPT_CHUNK) await upsertConcepts(conn, unique.slice(i, i + CONCEPT_CHUNK));
        const ids = await conceptIds(conn, unique);
        const all = [...ids.values()];
        for (let i = 0; i < all.length; i += ID_CHUNK) {
          const chunk = all.slice(i, i + ID_CHUNK);
          const list = chunk.map(() => '?').join(', ');
          await conn.run(`DELETE FROM terminology_words WHERE concept_id IN (${list})`, chunk);
          await conn.run(`DELETE FROM terminology_members WHERE concept_id IN (${list})`, chunk);
        }
        const rows: [string, number | undefined][] = [];
        for (const c of unique) {
          const id = ids.get(`${c.system}\u0000${c.code}`);
          for (const word of conceptWords(c.code, [c.display, ...(c.designations ?? [])])) rows.push([word, id]);
        }
        // In key order: each insert lands next to the last in the word index instead of anywhere.
        rows.sort((a, b) => (a[0] < b[0] ? -1 : a[0] > b[0] ? 1 : 0));
        const words = rows.flat();
        for (let i = 0; i < words.length; i += WORD_CHUNK * 2) await insertWords(conn, words.slice(i, i + WORD_CHUNK * 2));
        for (let i = 0; i < all.length; i += ID_CHUNK) {
          const chunk = all.slice(i, i + ID_CHUNK);
          await conn.run(
            'INSERT INTO terminology_members (value_set, concept_id) SELECT DISTINCT r.value_set, c.concept_id ' +
              "FROM terminology_concepts c JOIN terminology_rules r ON r.system = c.system AND (r.kind = '' OR r.kind = c.kind) " +
              `WHERE c.concept_id IN (${chunk.map(() => '?').join(', ')}) AND c.inactive = 0 ON CONFLICT DO NOTHING`,
            chunk,
          );
        }
        // A release is loaded again from its file if a crash loses the last batches; no disk flush per batch.
      }, { flush: false });
    },

    async countConcepts(system) {
      return Number((await reader.get<{ n: number | string }>(COUNT_CONCEPTS, [system]))?.n ?? 0);
    },

    async lookup(system, code) {
      const row = await reader.get<ConceptRow>(LOOKUP, [system, code]);
      return row === undefined ? undefined : conceptOf(row);
    },

    async expand(valueSetUrl, filter, page) {
      if (filter === undefined) {
        const rows = await reader.all<ConceptRow>(UNFILTERED, [valueSetUrl, page.count, page.offset]);
        const total = Number((await reader.get<{ n: number | string }>(COUNT_MEMBERS, [valueSetUrl]))?.n ?? 0);
        return { total, concepts: rows.map(conceptOf) };
      }
      return filtered(reader, valueSetUrl, filter, page);
    },
  };
}

async function filtered(reader: SqlConn, valueSetUrl: string, filter: ConceptFilter, page: { offset: number; count: number }): Promise<ExpansionPage> {
  // The longest term is usually the rarest: its words drive, the others are checked per concept.
  const terms = [...filter.terms].sort((a, b) => b.length - a.length);
  const [driving, ...others] = terms;
  const rank = [filter.text, length(filter.text), filter.text, length(filter.first), filter.first];
  const params = [driving, driving + TOP, valueSetUrl, ...others.flatMap((t) => [t, t + TOP]), ...rank, page.count, page.offset];
  const rows = await reader.all<ConceptRow>(filteredStatement(others.length), params);
  let total = rows.length === 0 ? 0 : Number(rows[0].total);
  if (rows.length === 0 && page.offset > 0) {
    // Past the end: the page says nothing of the total, so count on its own.
    const counted = await reader.all<ConceptRow>(filteredStatement(others.length), [...params.slice(0, -2), 1, 0]);
    total = counted.length === 0 ? 0 : Number(counted[0].total);
  }
  return { total, concepts: rows.map(conceptOf) };
}

/** Characters, as SQL's substr counts them (not UTF-16 units). */
function length(text: string): number {
  return [...text].length;
}

/** The filtered expansion for 1 + `others` terms: static text per arity, so it is prepared once. */
const filteredStatements = new Map<number, Stmt>();
function filteredStatement(others: number): Stmt {
  let s = filteredStatements.get(others);
  if (s === undefined) {
    const checks = Array.from(
      { length: others },
      () => ' AND EXISTS (SELECT 1 FROM terminology_words w2 WHERE w2.concept_id = c.concept_id AND w2.word >= ? AND w2.word < ?)',
    ).join('');
    // CROSS JOIN: SQLite keeps the driving term's concepts as the outer loop (PostgreSQL plans
    // it as any join); the window count is taken before LIMIT, in the same pass as the sort.
    s = stmt(
      `SELECT ${CONCEPT_COLUMNS}, COUNT(*) OVER () AS total ` +
        'FROM (SELECT DISTINCT w.concept_id FROM terminology_words w WHERE w.word >= ? AND w.word < ?) d ' +
        'CROSS JOIN terminology_concepts c ' +
        'WHERE c.concept_id = d.concept_id ' +
        'AND EXISTS (SELECT 1 FROM terminology_members m WHERE m.value_set = ? AND m.concept_id = c.concept_id)' +
        checks +
        ' ORDER BY CASE WHEN c.display_key = ? THEN 0 WHEN substr(c.display_key, 1, ?) = ? THEN 1 WHEN substr(c.first_word, 1, ?) = ? THEN 2 ELSE 3 END, ' +
        'c.display_len, c.display_key, c.code LIMIT ? OFFSET ?',
    );
    filteredStatements.set(others, s);
  }
  return s;
}

function upsertStatement(rows: number): string {
  return (
    'INSERT INTO terminology_concepts (system, code, display, display_key, first_word, display_len, kind, inactive, designations, properties) VALUES ' +
    Array(rows).fill('(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)').join(', ') +
    ' ON CONFLICT (system, code) DO UPDATE SET display = excluded.display, display_key = excluded.display_key, first_word = excluded.first_word, ' +
    'display_len = excluded.display_len, kind = excluded.kind, inactive = excluded.inactive, designations = excluded.designations, properties = excluded.properties'
  );
}
const FULL_UPSERT = stmt(upsertStatement(CONCEPT_CHUNK));

async function upsertConcepts(conn: SqlConn, concepts: readonly TermConcept[]): Promise<void> {
  const params: unknown[] = [];
  for (const c of concepts) {
    const { key, firstWord } = displayKey(c.display);
    params.push(
      c.system,
      c.code,
      c.display,
      key,
      firstWord,
      length(c.display),
      c.kind ?? '',
      c.inactive ? 1 : 0,
      c.designations && c.designations.length > 0 ? JSON.stringify(c.designations) : null,
      c.properties && Object.keys(c.properties).length > 0 ? JSON.stringify(c.properties) : null,
    );
  }
  await conn.run(concepts.length === CONCEPT_CHUNK ? FULL_UPSERT : upsertStatement(concepts.length), params);
}

/** `system \0 code` → concept_id for the concepts just written. */
async function conceptIds(conn: SqlConn, concepts: readonly TermConcept[]): Promise<Map<string, number>> {
  const ids = new Map<string, number>();
  const bySystem = new Map<string, string[]>();
  for (const c of concepts) bySystem.set(c.system, [...(bySystem.get(c.system) ?? []), c.code]);
  for (const [system, codes] of bySystem) {
    for (let i = 0; i < codes.length; i += ID_CHUNK) {
      const chunk = codes.slice(i, i + ID_CHUNK);
      const rows = await conn.all<{ concept_id: number | string; code: string }>(
        `SELECT concept_id, code FROM terminology_concepts WHERE system = ? AND code IN (${chunk.map(() => '?').join(', ')})`,
        [system, ...chunk],
      );
      for (const row of rows) ids.set(`${system}\u0000${row.code}`, Number(row.concept_id));
    }
  }
  return ids;
}

function insertWordsStatement(rows: number): string {
  return `INSERT INTO terminology_words (word, concept_id) VALUES ${Array(rows).fill('(?, ?)').join(', ')}`;
}
const FULL_WORDS = stmt(insertWordsStatement(WORD_CHUNK));

async function insertWords(conn: SqlConn, params: readonly unknown[]): Promise<void> {
  const rows = params.length / 2;
  await conn.run(rows === WORD_CHUNK ? FULL_WORDS : insertWordsStatement(rows), params);
}

function conceptOf(row: ConceptRow): TermConcept {
  const concept: TermConcept = { system: row.system, code: row.code, display: row.display };
  if (row.kind !== '') concept.kind = row.kind;
  if (Number(row.inactive) === 1) concept.inactive = true;
  if (row.designations !== null) concept.designations = JSON.parse(row.designations) as string[];
  if (row.properties !== null) concept.properties = JSON.parse(row.properties) as Record<string, string>;
  return concept;
}

function resourceOf(row: ResourceRow): TermResource {
  return { resourceType: row.resource_type, url: row.url, id: row.id, content: row.content };
}
