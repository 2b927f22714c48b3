/**
 * The terminology store in SQL (`terminology_*`, from migrations 0014 and 0016). A filtered
 * expansion reads, in one value set: the members whose display starts with the filter's first
 * word (`terminology_members` by `display_key`: the ranks 0-2, usually enough for the page), the
 * other matches only when the page reaches past those (`terminology_entries` by word), and the
 * count of every match from the entries of the longest term.
 */
import { conceptWords, displayKey, type ConceptFilter } from '../../fhir/terminology/words.ts';
import type { ExpansionPage, TermConcept, TermResource, TerminologyStore } from '../terminology.ts';
import { stmt, type SqlConn, type SqlDriver } from './dialect.ts';

/** Concepts per INSERT (11 parameters each). */
const CONCEPT_CHUNK = 250;
/** Word rows per INSERT (2 parameters each). */
const WORD_CHUNK = 1000;
/** Concept ids per IN list. */
const ID_CHUNK = 1000;
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
const DELETE_ENTRIES = stmt('DELETE FROM terminology_entries WHERE value_set = ?');
/** The members a value set's rules select: active concepts of a system, of the listed kinds. */
const MEMBER_SELECT =
  'INSERT INTO terminology_members (value_set, concept_id, display_key, display_len, code) ' +
  'SELECT DISTINCT r.value_set, c.concept_id, c.display_key, c.display_len, c.code ' +
  "FROM terminology_rules r JOIN terminology_concepts c ON c.system = r.system AND (r.kind = '' OR c.kind = r.kind) WHERE c.inactive = 0";
const INSERT_MEMBERS = stmt(`${MEMBER_SELECT} AND r.value_set = ? ON CONFLICT DO NOTHING`);
const ENTRY_SELECT = 'INSERT INTO terminology_entries (value_set, word, concept_id) SELECT m.value_set, w.word, m.concept_id FROM terminology_members m JOIN terminology_concept_words w ON w.concept_id = m.concept_id';
const INSERT_ENTRIES = stmt(`${ENTRY_SELECT} WHERE m.value_set = ?`);
const COUNT_CONCEPTS = stmt('SELECT COUNT(*) AS n FROM terminology_concepts WHERE system = ?');
const CONCEPT_COLUMNS = 'c.system, c.code, c.display, c.kind, c.inactive, c.designations, c.properties';
const LOOKUP = stmt(`SELECT ${CONCEPT_COLUMNS} FROM terminology_concepts c WHERE c.system = ? AND c.code = ?`);
const COUNT_MEMBERS = stmt('SELECT COUNT(*) AS n FROM terminology_members WHERE value_set = ?');
const UNFILTERED = stmt('SELECT m.concept_id FROM terminology_members m WHERE m.value_set = ? ORDER BY m.display_key, m.code LIMIT ? OFFSET ?');

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
        await conn.run(DELETE_ENTRIES, [url]);
        await conn.run(DELETE_MEMBERS, [url]);
        await conn.run(INSERT_MEMBERS, [url]);
        await conn.run(INSERT_ENTRIES, [url]);
      });
    },

    async putConcepts(concepts) {
      if (concepts.length === 0) return;
      // The last of two rows with one code wins, as a later load would.
      const unique = [...new Map(concepts.map((c) => [`${c.system}\u0000${c.code}`, c])).values()];
      await driver.transaction(async (conn) => {
        // Only concepts loaded before have words, entries and memberships to replace; a first load
        // (the usual case) deletes nothing.
        const existing = [...(await conceptIds(conn, unique)).values()];
        for (let i = 0; i < unique.length; i += CONCEPT_CHUNK) await upsertConcepts(conn, unique.slice(i, i + CONCEPT_CHUNK));
        const ids = await conceptIds(conn, unique);
        const all = [...ids.values()];
        for (let i = 0; i < existing.length; i += ID_CHUNK) {
          const chunk = existing.slice(i, i + ID_CHUNK);
          const list = chunk.map(() => '?').join(', ');
          await conn.run(`DELETE FROM terminology_concept_words WHERE concept_id IN (${list})`, chunk);
          await conn.run(`DELETE FROM terminology_entries WHERE concept_id IN (${list})`, chunk);
          await conn.run(`DELETE FROM terminology_members WHERE concept_id IN (${list})`, chunk);
        }
        const rows: [string, number | undefined][] = [];
        for (const c of unique) {
          const id = ids.get(`${c.system}\u0000${c.code}`);
          for (const word of conceptWords(c.code, [c.display, ...(c.designations ?? [])])) rows.push([word, id]);
        }
        const words = rows.flatMap(([word, id]) => [id, word]);
        for (let i = 0; i < words.length; i += WORD_CHUNK * 2) await insertWords(conn, words.slice(i, i + WORD_CHUNK * 2));
        for (let i = 0; i < all.length; i += ID_CHUNK) {
          const chunk = all.slice(i, i + ID_CHUNK);
          const list = chunk.map(() => '?').join(', ');
          await conn.run(`${MEMBER_SELECT} AND c.concept_id IN (${list}) ON CONFLICT DO NOTHING`, chunk);
          // Both sides bound: PostgreSQL, without statistics yet for the rows a load is adding, would
          // otherwise merge-join against every word of every concept, for every batch.
          await conn.run(`${ENTRY_SELECT} WHERE m.concept_id IN (${list}) AND w.concept_id IN (${list})`, [...chunk, ...chunk]);
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
        const ids = await reader.all<IdRow>(UNFILTERED, [valueSetUrl, page.count, page.offset]);
        const total = Number((await reader.get<{ n: number | string }>(COUNT_MEMBERS, [valueSetUrl]))?.n ?? 0);
        return { total, concepts: await conceptsById(reader, ids.map((r) => Number(r.concept_id))) };
      }
      return filtered(reader, valueSetUrl, filter, page);
    },
  };
}

interface IdRow {
  concept_id: number | string;
  matched?: number | string;
}

async function filtered(reader: SqlConn, valueSetUrl: string, filter: ConceptFilter, page: { offset: number; count: number }): Promise<ExpansionPage> {
  const ranges = (terms: string[]) => terms.flatMap((t) => [valueSetUrl, t, t + TOP]);
  const { first, text } = filter;
  const end = page.offset + page.count;
  // The rarest term drives (its matches are the candidates the others are checked on): "fracture
  // of fem" has 9,386 problems with a word starting "fracture" and a few hundred with "fem".
  const { term: driving, entries: drivingEntries } = filter.terms.length === 1 ? { term: filter.terms[0], entries: 0 } : await rarest(reader, valueSetUrl, filter.terms);
  const rest = filter.terms.filter((t) => t !== driving);
  const rank = [text, length(text), text];
  // A rare driving term: every match ranked, counted and paged by one statement over its few
  // candidates, instead of a ranked page, the rest and a count each going over them again.
  if (rest.length > 0 && drivingEntries <= COUNTED_CANDIDATES) {
    const rows = await reader.all<IdRow>(rareDriverStatement(rest.length), [valueSetUrl, driving, driving + TOP, valueSetUrl, ...ranges(rest), ...rank, length(first), first, end]);
    const total = rows.length === 0 ? 0 : Number(rows[0].matched);
    return { total, concepts: await conceptsById(reader, rows.slice(page.offset).map((r) => Number(r.concept_id))) };
  }
  // Ranks 0-2 (the display starts with the first term) take their candidates from whichever is
  // smaller: the displays starting with the first term, or the driving term's entries. A display
  // prefix is far rarer than a word prefix: 237 problems start "type", 3,925 have a word "2…".
  // (The first word is not a term when a longer term starts with it: "c chronic".)
  const fromPrefix = driving === first || (await displaysStartingWith(reader, valueSetUrl, first, drivingEntries)) < drivingEntries;
  const others = filter.terms.filter((t) => t !== first);
  const ranked = fromPrefix
    ? await reader.all<IdRow>(prefixStatement(others.length), [valueSetUrl, first, first + TOP, ...ranges(others), ...rank, end])
    : await reader.all<IdRow>(drivenPrefixStatement(rest.length), [valueSetUrl, driving, driving + TOP, valueSetUrl, length(first), first, ...ranges(rest), ...rank, end]);
  const prefixMatches = ranked.length === 0 ? 0 : Number(ranked[0].matched);
  let ids = ranked.slice(page.offset).map((r) => Number(r.concept_id));
  // Rank 3 only when the page reaches past the ranks above: every other match, shortest first.
  if (end > prefixMatches) {
    const skip = Math.max(0, page.offset - prefixMatches);
    const more = await reader.all<IdRow>(restStatement(rest.length), [
      valueSetUrl, driving, driving + TOP,
      valueSetUrl, length(first), first,
      ...ranges(rest),
      page.count - ids.length, skip,
    ]);
    ids = ids.concat(more.map((r) => Number(r.concept_id)));
  }
  const concepts = await conceptsById(reader, ids);
  // Several terms reach here only when even the rarest is common: counting would check each of its
  // thousands of entries for the others, one seek each (9,376 for "fracture o"), more than the page
  // costs, and a type-ahead only needs to know that there are many. One term is counted from its
  // index range alone.
  if (rest.length > 0) return { concepts };
  const counted = await reader.get<{ n: number | string }>(COUNT_TERM, [valueSetUrl, driving, driving + TOP]);
  return { total: Number(counted?.n ?? 0), concepts };
}

/** Entries counted per term before the count stops: enough to tell a rare term from a common one. */
const RARITY_PROBE = 10_000;
const RARITY = stmt(`SELECT COUNT(*) AS n FROM (SELECT 1 FROM terminology_entries e WHERE e.value_set = ? AND e.word >= ? AND e.word < ? LIMIT ${RARITY_PROBE}) r`);

/** A filter of several terms is counted only when its driving term has at most this many entries. */
export const COUNTED_CANDIDATES = 2_000;

/** Plain text, planned with its values (see `cached`): a generic plan cannot tell "t" from "type 2". */
const DISPLAYS_STARTING = 'SELECT COUNT(*) AS n FROM (SELECT 1 FROM terminology_members m WHERE m.value_set = ? AND m.display_key >= ? AND m.display_key < ? LIMIT ?) r';

/** How many members' displays start with `term`, counted up to `bound`. */
async function displaysStartingWith(reader: SqlConn, valueSetUrl: string, term: string, bound: number): Promise<number> {
  return Number((await reader.get<{ n: number | string }>(DISPLAYS_STARTING, [valueSetUrl, term, term + TOP, bound]))?.n ?? 0);
}

/** The term with the fewest entries in the value set (ties: the longer, then the earlier), and how many it has (up to RARITY_PROBE). */
async function rarest(reader: SqlConn, valueSetUrl: string, terms: readonly string[]): Promise<{ term: string; entries: number }> {
  let best = terms[0];
  let fewest = Infinity;
  for (const term of terms) {
    const n = Number((await reader.get<{ n: number | string }>(RARITY, [valueSetUrl, term, term + TOP]))?.n ?? 0);
    if (n < fewest || (n === fewest && term.length > best.length)) {
      best = term;
      fewest = n;
    }
  }
  return { term: best, entries: fewest };
}

/** The concepts with these ids, in this order. */
async function conceptsById(reader: SqlConn, ids: readonly number[]): Promise<TermConcept[]> {
  if (ids.length === 0) return [];
  const byId = new Map<number, TermConcept>();
  for (let i = 0; i < ids.length; i += ID_CHUNK) {
    const chunk = ids.slice(i, i + ID_CHUNK);
    const rows = await reader.all<ConceptRow & { concept_id: number | string }>(`SELECT c.concept_id, ${CONCEPT_COLUMNS} FROM terminology_concepts c WHERE c.concept_id IN (${chunk.map(() => '?').join(', ')})`, chunk);
    for (const row of rows) byId.set(Number(row.concept_id), conceptOf(row));
  }
  return ids.map((id) => byId.get(id)).filter((c): c is TermConcept => c !== undefined);
}

/** Characters, as SQL's substr counts them (not UTF-16 units). */
function length(text: string): number {
  return [...text].length;
}

/**
 * `AND` the concept has a word starting with each of `n` terms in the value set's entries: one
 * seek per candidate on `(concept_id, value_set, word)` (migration 0019), a plan both databases
 * keep whatever they estimate (PostgreSQL takes any word-prefix range for one row).
 */
// LIMIT 1 OFFSET 0: PostgreSQL keeps a subquery with an OFFSET as it is written, a seek per
// candidate; it would otherwise turn EXISTS into a semi-join planned for the one row it expects.
const TERM_CHECK = ' AND EXISTS (SELECT 1 FROM terminology_entries e2 WHERE e2.concept_id = {concept} AND e2.value_set = ? AND e2.word >= ? AND e2.word < ? LIMIT 1 OFFSET 0)';

function termChecks(n: number, concept: string): string {
  return Array.from({ length: n }, () => TERM_CHECK.replace('{concept}', concept)).join('');
}

/**
 * The text per number of terms, built once. Plain text, not a named `Stmt`: PostgreSQL then plans
 * each run with its values (an unnamed statement). A named one switches to a generic plan after
 * five runs, and the generic plan of the rank-3 query hash-joins every member of the value set
 * (33,544 problems) whatever the filter; SQLite caches prepared statements by text either way.
 */
function cached(cache: Map<number, string>, n: number, build: (n: number) => string): string {
  const key = n;
  let s = cache.get(key);
  if (s === undefined) {
    s = build(n);
    cache.set(key, s);
  }
  return s;
}

const prefixStatements = new Map<number, string>();
/**
 * Ranks 0-2 (the display starts with the first term), best first, up to the page's end, with how
 * many there are in all (the window count is taken before LIMIT). Parameters: value set, the
 * first term's range, the value set and range of each other term, the filter text, its length, the text, the limit.
 */
function prefixStatement(others: number): string {
  return cached(
    prefixStatements,
    others,
    (n) =>
      'SELECT m.concept_id, COUNT(*) OVER () AS matched FROM terminology_members m ' +
      'WHERE m.value_set = ? AND m.display_key >= ? AND m.display_key < ?' +
      termChecks(n, 'm.concept_id') +
      ' ORDER BY CASE WHEN m.display_key = ? THEN 0 WHEN substr(m.display_key, 1, ?) = ? THEN 1 ELSE 2 END, m.display_len, m.display_key, m.code LIMIT ?',
  );
}

const drivenPrefixStatements = new Map<number, string>();
/**
 * Ranks 0-2 as `prefixStatement`, when a term other than the first drives: its entries are the
 * candidates, each with its member row (the display prefix and rank columns). Parameters: value
 * set and the driving term's range, value set, the first term's length and the term, the value set and range
 * of each other term, the filter text, its length, the text, the limit.
 */
function drivenPrefixStatement(others: number): string {
  return cached(
    drivenPrefixStatements,
    others,
    (n) =>
      'SELECT m.concept_id, COUNT(*) OVER () AS matched ' +
      'FROM (SELECT DISTINCT e.concept_id FROM terminology_entries e WHERE e.value_set = ? AND e.word >= ? AND e.word < ?) d ' +
      // The prefix as substr, not a range: PostgreSQL would scan the range for every candidate
      // (it estimates one candidate) instead of seeking each candidate's member row.
      'CROSS JOIN terminology_members m WHERE m.value_set = ? AND m.concept_id = d.concept_id AND substr(m.display_key, 1, ?) = ?' +
      termChecks(n, 'm.concept_id') +
      ' ORDER BY CASE WHEN m.display_key = ? THEN 0 WHEN substr(m.display_key, 1, ?) = ? THEN 1 ELSE 2 END, m.display_len, m.display_key, m.code LIMIT ?',
  );
}

const rareDriverStatements = new Map<number, string>();
/**
 * Every rank at once (0-2 as `prefixStatement`, 3 a display not starting with the first term),
 * best first, up to the page's end, with how many match in all: for a driving term with few
 * entries (at most COUNTED_CANDIDATES). Parameters: value set and the driving term's range, value
 * set, each other term's range, the filter text, its length, the text, the first term's length and
 * the term, the limit.
 */
function rareDriverStatement(others: number): string {
  return cached(
    rareDriverStatements,
    others,
    (n) =>
      'SELECT m.concept_id, COUNT(*) OVER () AS matched ' +
      'FROM (SELECT DISTINCT e.concept_id FROM terminology_entries e WHERE e.value_set = ? AND e.word >= ? AND e.word < ?) d ' +
      'CROSS JOIN terminology_members m WHERE m.value_set = ? AND m.concept_id = d.concept_id' +
      termChecks(n, 'm.concept_id') +
      ' ORDER BY CASE WHEN m.display_key = ? THEN 0 WHEN substr(m.display_key, 1, ?) = ? THEN 1 WHEN substr(m.display_key, 1, ?) = ? THEN 2 ELSE 3 END, m.display_len, m.display_key, m.code LIMIT ?',
  );
}

const restStatements = new Map<number, string>();
/**
 * Rank 3 (a match whose display does not start with the first term), shortest first. The rarest
 * term's entries drive; CROSS JOIN keeps them the outer loop on SQLite. Parameters: value set,
 * the driving term's range, value set, the first term's length and the term, each other term's
 * range, limit, offset.
 */
function restStatement(others: number): string {
  return cached(
    restStatements,
    others,
    (n) =>
      'SELECT m.concept_id FROM (SELECT DISTINCT e.concept_id FROM terminology_entries e WHERE e.value_set = ? AND e.word >= ? AND e.word < ?) d ' +
      'CROSS JOIN terminology_members m WHERE m.value_set = ? AND m.concept_id = d.concept_id AND substr(m.display_key, 1, ?) <> ?' +
      termChecks(n, 'm.concept_id') +
      ' ORDER BY m.display_len, m.display_key, m.code LIMIT ? OFFSET ?',
  );
}

/** Every concept with a word starting with one term. Plain text, planned with its values (see `cached`). */
const COUNT_TERM = 'SELECT COUNT(DISTINCT e.concept_id) AS n FROM terminology_entries e WHERE e.value_set = ? AND e.word >= ? AND e.word < ?';

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
  return `INSERT INTO terminology_concept_words (concept_id, word) VALUES ${Array(rows).fill('(?, ?)').join(', ')}`;
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
