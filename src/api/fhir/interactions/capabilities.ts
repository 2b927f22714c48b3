/**
 * `GET [base]/metadata`: the CapabilityStatement — what this server actually implements, so
 * clients (and conformance tools) can rely on it. It lists exactly the interactions dispatch
 * routes and the search parameters the store can index. Built once per process: it depends only
 * on the R4 definitions and this code; only the base URLs are filled in per request.
 * @see https://hl7.org/fhir/R4/capabilitystatement.html
 */
import { readFileSync } from 'node:fs';
import type { CapabilityStatement, CapabilityStatementRest, CapabilityStatementRestResource } from '@medplum/fhirtypes';
import { resourceTypeNames } from '../../../fhir/definitions.ts';
import { modifiersFor } from '../../../fhir/search/criterion.ts';
import { PATIENT_COMPARTMENT_URL } from '../../../fhir/search/compartment.ts';
import { searchParametersFor, type SearchParameterDef } from '../../../fhir/search/parameters.ts';
import { TOTAL_CAP } from '../../../store/store.ts';
import { AUDIT_EVENT_SEARCH_PARAMETERS, AUDIT_EVENT_SORT_KEYS } from './audit-events.ts';
import { REPORTED_BY_SYSTEM } from '../../../domain/audit/reported-event.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';
import { MAX_LASTN } from './lastn.ts';
import { MAX_FIND_DAYS } from './find-appointments.ts';
import { EMERGENCY_ACCESS_OPERATIONS, META_OPERATIONS, RESTRICTED_RECORDS_OPERATION } from './privacy-capabilities.ts';
import { DOCUMENT_TYPES } from '../../../domain/documents/binary-content.ts';
import { CODE_SYSTEM_KEYS, CODE_SYSTEMS } from '../../../domain/terminology/code-systems.ts';
import { VALUE_SETS } from '../../../domain/terminology/value-sets.ts';
import { EXPAND_DEFAULT_COUNT, EXPAND_MAX_COUNT } from './terminology.ts';
import { AUTH_METHODS, AUTH_SIGNING_ALGS } from '../../auth/well-known.ts';

/** Parameters defined on Resource, searchable across types at the system level. */
const SYSTEM_SEARCH_PARAMS = ['_id', '_lastUpdated', '_tag', '_profile', '_security', '_source'];

const TYPE_INTERACTIONS = ['read', 'vread', 'update', 'patch', 'delete', 'history-instance', 'history-type', 'create', 'search-type'] as const;
const SYSTEM_INTERACTIONS = ['transaction', 'batch', 'search-system', 'history-system'] as const;

const VALIDATE_OPERATION = { name: 'validate', definition: 'http://hl7.org/fhir/OperationDefinition/Resource-validate' };
const EXPAND_OPERATION = {
  name: 'expand',
  definition: 'http://hl7.org/fhir/OperationDefinition/ValueSet-expand',
  documentation:
    `GET or POST ValueSet/$expand?url=<canonical>&filter=<text>&count=<n>&offset=<n> (or ValueSet/[id]/$expand), over the terminology every practice shares: the value sets ${VALUE_SETS.map((v) => v.url).join(', ')}. ` +
    `filter: every word must start a word of the concept's code or names, in any order, ignoring case and accents; best matches first (the display is the filter, starts with it, its first word starts with the first word of the filter; then shorter displays). ` +
    `count defaults to ${EXPAND_DEFAULT_COUNT} (at most ${EXPAND_MAX_COUNT}); expansion.total counts every match; includeDesignations=true adds other names.`,
};
const LOOKUP_OPERATION = {
  name: 'lookup',
  definition: 'http://hl7.org/fhir/OperationDefinition/CodeSystem-lookup',
  documentation: `GET or POST CodeSystem/$lookup?system=<url>&code=<code> (or CodeSystem/[id]/$lookup?code=…) for the loaded code systems ${CODE_SYSTEM_KEYS.map((k) => CODE_SYSTEMS[k].url).join(', ')}: name, version, display, designations and properties (inactive, kind and the system's own).`,
};

type OperationCapability = NonNullable<CapabilityStatementRestResource['operation']>[number];

/** Operations on the FHIR base, beside $validate (each routed by dispatch). */
export const SYSTEM_OPERATIONS: readonly OperationCapability[] = [
  {
    name: 'connected-apps',
    definition: 'https://heron.dev/fhir/OperationDefinition/connected-apps',
    documentation: 'GET $connected-apps: the signed-in person\'s live app grants (app parts: grant, client, name, scope, patient, granted, lastUsed, expires). People only (apps acting for themselves: 403).',
  },
  {
    name: 'connected-app-revoke',
    definition: 'https://heron.dev/fhir/OperationDefinition/connected-app-revoke',
    documentation: 'POST $connected-app-revoke with Parameters (grant): the app\'s tokens under that grant stop working at once (on other servers within the token recheck interval) and its refresh tokens no longer refresh. 404 for a grant that is not the caller\'s or not live.',
  },
];

/** Operations of one type beside $validate, each routed by dispatch (a test keeps the two in agreement). */
export const TYPE_OPERATIONS: Readonly<Record<string, readonly OperationCapability[]>> = {
  Patient: [
    {
      name: 'match',
      definition: 'http://hl7.org/fhir/OperationDefinition/Patient-match',
      documentation:
        'POST Patient/$match with Parameters (resource: a Patient with an identifier, a birth date or a phone; onlyCertainMatches; count, default 10, at most 50): stored Patients that may be the same person, best first, ' +
        'with search.score and the match-grade extension. certain: an identifier (system and value) in common; probable: the same family and given name and birth date; ' +
        'possible: similar names (edit distance, Double Metaphone, family and given swapped) with the same birth date, day and month swapped, or the same phone, or the same names born the same year. ' +
        'Candidates come from indexed searches (identifier, birth date, phone as written, name and birth year) narrowed to the caller as a search of Patient is.',
    },
    {
      name: 'everything',
      definition: 'http://hl7.org/fhir/OperationDefinition/Patient-everything',
      documentation:
        'GET Patient/[id]/$everything?_since=[instant]&_type=[types]&_count=[n]: a searchset Bundle with the Patient first, then every resource of the patient\'s compartment the caller may see (the same rules as Patient/[id]/*), paged with next links. ' +
        '_since keeps what changed at or after the instant; _type limits the types (Patient included or not); start and end are not supported (400). Resources the record refers to outside the compartment (practitioners, organisations, medications) are not added.',
    },
    {
      name: 'summary',
      definition: 'http://hl7.org/fhir/uv/ips/OperationDefinition/summary',
      documentation:
        'GET Patient/[id]/$summary: the International Patient Summary (IPS 2.0) as a document Bundle: a Composition (LOINC 60591-5) with the Problems (active), Allergies and Medication Summary (active) sections, with emptyReason when nothing is recorded, and Immunizations, Results (newest per test) and Vital signs when there are any; generated narrative in every section; ' +
        'the Patient, the listed resources and what they refer to (references to anything not included keep their display only). Gathered under the caller\'s access as a search of the record is; needs search access to Condition, AllergyIntolerance and MedicationRequest.',
    },
    {
      name: 'health-link',
      definition: 'https://heron.dev/fhir/OperationDefinition/Patient-health-link',
      documentation:
        'POST Patient/[id]/$health-link with Parameters (label, expires: a date or dateTime within 365 days, passcode: optional, at least 6 characters): a SMART Health Link to the patient\'s summary ($summary as the caller may see it now), for the patient or their proxy only. ' +
        'Answers 201 Parameters with id, link (shlink:/…), viewer (this server\'s page that opens it), label, expires, passcode; the link and its key are not kept and are shown only here. The manifest is served at <server>/shl/<id> (POST {recipient, passcode}).',
    },
    {
      name: 'health-links',
      definition: 'https://heron.dev/fhir/OperationDefinition/Patient-health-links',
      documentation: 'GET Patient/[id]/$health-links: the patient\'s health links (link parts: id, label, created, expires, status active|revoked|expired|locked, passcode, revoked) with every opening (opened parts: at, recipient, address, outcome served|wrong-passcode|refused). Patient or proxy only.',
    },
    {
      name: 'health-link-revoke',
      definition: 'https://heron.dev/fhir/OperationDefinition/Patient-health-link-revoke',
      documentation: 'POST Patient/[id]/$health-link-revoke with Parameters (id): the link stops working at once (its manifest answers 404). Patient or proxy only.',
    },
    {
      name: 'portal-invite',
      definition: 'https://heron.dev/fhir/OperationDefinition/Patient-portal-invite',
      documentation:
        'POST Patient/[id]/$portal-invite with an optional Parameters (email): creates the patient\'s portal account (invited) or a new link for one not yet accepted, and answers Parameters link (the one-time link, 7 days, shown only here), expires, email and emailed (whether it was also e-mailed). ' +
        'For the roles that register patients (physician, resident, nurse, medical-assistant, front-desk), not patient-bound access. The Patient needs a birth date (accepting asks for it) and an e-mail address (422 otherwise); an address of another account, or a patient already active, is 409. Audited.',
    },
    RESTRICTED_RECORDS_OPERATION,
  ],
  ValueSet: [EXPAND_OPERATION],
  CodeSystem: [LOOKUP_OPERATION],
  QuestionnaireResponse: [
    {
      name: 'extract',
      definition: 'http://hl7.org/fhir/uv/sdc/OperationDefinition/QuestionnaireResponse-extract',
      documentation:
        'POST QuestionnaireResponse/$extract with a QuestionnaireResponse (or Parameters with questionnaire-response): a transaction Bundle to post that creates the response and, when its Questionnaire (found by questionnaire in this practice) is scored and the response is completed, ' +
        'the score Observation (category survey, the total item\'s LOINC code, valueQuantity {score}, the band as interpretation, flagged answers as components, derivedFrom the response). Scored Questionnaires: answer options weighted with ordinalValue (or itemWeight), a read-only total item with calculatedExpression and https://heron.dev/fhir/StructureDefinition/score-band extensions. ' +
        'A completed response with unanswered scored questions is refused (422). Nothing is stored. Writes are checked too: an Observation derived from a scored QuestionnaireResponse must be its score, and a scored response\'s answers cannot change (422 business-rule).',
    },
  ],
  AuditEvent: [
    {
      name: 'verify',
      definition: 'https://heron.dev/fhir/OperationDefinition/AuditEvent-verify',
      documentation:
        'GET AuditEvent/$verify: recomputes the hash chain of the practice\'s audit trail from its first entry, as heron audit verify --practice does. Answers Parameters: intact (boolean), checked (entries found intact), ' +
        'and for a broken chain broken-entry (a reference to the first entry whose hash or link does not match, or that is missing) and problem (what is wrong); verified (when) and seconds (how long). ' +
        'Allowed to callers who may search the whole trail (practice administrators; backend services with system/AuditEvent.s); refused (403) to patient-bound access and scopes with a query. ' +
        'It reads every entry, so one verification per practice runs at a time on each server: a request arriving meanwhile gets the running one\'s answer. Audited as $verify.',
    },
  ],
  Appointment: [
    {
      name: 'find',
      definition: 'https://heron.dev/fhir/OperationDefinition/Appointment-find',
      documentation:
        `GET Appointment/$find?visit-type=[ActivityDefinition id]&start=[date]&end=[date]&practitioner=Practitioner/[id]&_count=[n]: free times to book, in the spirit of the Argonaut/Da Vinci scheduling $find. ` +
        `A searchset Bundle of proposed Appointments (not stored): start, end, length, visit type and the clinician, for each quarter-hour start on which a clinician with an active Schedule is free for the whole visit within the practice's working hours (setting practice-hours; dates are local to its time zone), ` +
        `at most ${MAX_FIND_DAYS} days at once. Taken times are left out without saying by whom. Allowed to whoever may search Schedule (staff, patients, proxies).`,
    },
  ],
  Observation: [
    {
      name: 'lastn',
      definition: 'http://hl7.org/fhir/OperationDefinition/Observation-lastn',
      documentation:
        `GET Observation/$lastn?patient=[id]&category=[system|]code&code=[system|]code&max=[1-${MAX_LASTN}]: the newest max (default 1) Observations of each code of one patient, ` +
        'grouped by code, newest first by effective date. patient (or subject=Patient/[id]) is required; category and code take comma-separated alternatives; other parameters are refused. ' +
        'Observations without a coded code or an effective date are not included. Narrowed to the caller as a search of Observation is.',
    },
  ],
};

/** Where the FHIR base sits below the server root; the OAuth endpoints live at the root. */
const FHIR_BASE_SUFFIX = '/fhir/R4';

/** The same client authentication methods and algorithms `.well-known/smart-configuration` lists. */
const SECURITY_DESCRIPTION =
  'SMART App Launch 2.x (authorization code with PKCE S256, refresh tokens) and SMART Backend Services (client credentials); ' +
  `client authentication at the token endpoint: ${AUTH_METHODS.join(', ')} (private_key_jwt assertions signed with ${AUTH_SIGNING_ALGS.join(', ')}; none for public apps). ` +
  'Send Authorization: Bearer <access token>. See <server>/.well-known/smart-configuration.';

/** What `_total` does, as docs/search.md says it (the test keeps the two in agreement). */
export const SEARCH_TOTAL_DOCUMENTATION = `Search totals: by default (and with _total=estimate) Bundle.total is exact when at most ${TOTAL_CAP.toLocaleString('en-US')} resources match and left out above that; _total=accurate counts every match; _total=none skips the count.`;

let cached: { statement: CapabilityStatement; rest: CapabilityStatementRest } | undefined;

/** The CapabilityStatement for a server whose FHIR base is `req.baseUrl`. */
export function capabilities(req: FhirRequest): FhirResponse {
  return { status: 200, body: capabilityStatement(req.baseUrl) };
}

export function capabilityStatement(baseUrl: string): CapabilityStatement {
  cached ??= buildStatic();
  const root = baseUrl.endsWith(FHIR_BASE_SUFFIX) ? baseUrl.slice(0, -FHIR_BASE_SUFFIX.length) : baseUrl;
  const rest: CapabilityStatementRest = {
    ...cached.rest,
    // Where Subscriptions' websocket channel is (docs/subscriptions.md).
    extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/capabilitystatement-websocket', valueUri: `${baseUrl.replace(/^http/, 'ws')}/$websocket` }],
    security: {
      cors: false,
      service: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/restful-security-service', code: 'SMART-on-FHIR' }] }],
      description: SECURITY_DESCRIPTION,
      extension: [
        {
          url: 'http://fhir-registry.smarthealthit.org/StructureDefinition/oauth-uris',
          extension: [
            { url: 'authorize', valueUri: `${root}/oauth2/authorize` },
            { url: 'token', valueUri: `${root}/oauth2/token` },
            { url: 'revoke', valueUri: `${root}/oauth2/revoke` },
            { url: 'introspect', valueUri: `${root}/oauth2/introspect` },
          ],
        },
      ],
    },
  };
  return { ...cached.statement, implementation: { description: 'Heron FHIR R4 server', url: baseUrl }, rest: [rest] };
}

function buildStatic(): { statement: CapabilityStatement; rest: CapabilityStatementRest } {
  const version = (JSON.parse(readFileSync(new URL('../../../../package.json', import.meta.url), 'utf8')) as { version: string }).version;
  const revIncludes = revIncludesByTarget();
  const rest: CapabilityStatementRest = {
    mode: 'server',
    documentation: [
      'Access bound to patients (patients, proxies, apps launched for a patient) and SMART granular scopes: a resource outside them is answered exactly as an id never used, on every interaction; for them updateCreate is not available (PUT to an id not there for the caller answers 405; create with POST).',
      SEARCH_TOTAL_DOCUMENTATION,
    ].join(' '),
    resource: resourceTypeNames().map((type) => (type === 'AuditEvent' ? auditEventCapability() : resourceCapability(type, revIncludes.get(type) ?? []))),
    interaction: SYSTEM_INTERACTIONS.map((code) => ({ code })),
    searchParam: searchParametersFor('Patient')
      .filter((p) => SYSTEM_SEARCH_PARAMS.includes(p.code))
      .map(searchParamCapability),
    compartment: [PATIENT_COMPARTMENT_URL],
    operation: [VALIDATE_OPERATION, ...SYSTEM_OPERATIONS],
  };
  const statement: CapabilityStatement = {
    resourceType: 'CapabilityStatement',
    status: 'active',
    date: new Date().toISOString(),
    publisher: 'Heron',
    kind: 'instance',
    software: { name: 'Heron', version },
    fhirVersion: '4.0.1',
    format: ['json', 'application/fhir+json'],
    patchFormat: ['application/json-patch+json', 'application/fhir+json'],
  };
  return { statement, rest };
}

/** What a type's entry says beyond its interactions and parameters. */
const TYPE_DOCUMENTATION: Readonly<Record<string, string>> = {
  Binary:
    `Documents' files. Create with POST Binary (PUT Binary/[id] to replace) sending the file itself with its own Content-Type and X-Security-Context: Patient/[id] (or the FHIR JSON Binary). ` +
    `Accepted types: ${DOCUMENT_TYPES.map((t) => t.contentType).join(', ')}; the content must be of the declared type (checked by its bytes: 422 otherwise), at most the server's limit (20 MB unless configured: 413). ` +
    'Read as FHIR JSON, or with an Accept naming the file\'s type (application/pdf, image/*) as the file itself, with Content-Disposition, X-Content-Type-Options: nosniff and a sandboxing Content-Security-Policy. ' +
    'Access follows securityContext: patient-bound access sees a Binary whose securityContext is its patient or a resource of its record, reads it by id and cannot search Binary.',
  Observation:
    'A score Observation derivedFrom a QuestionnaireResponse of a scored Questionnaire (carrying the total item\'s code) must equal the score of its answers (total, band, patient, flagged answers), on every write route: otherwise 422 business-rule. Withdrawn scores (entered-in-error, cancelled) are always accepted. See QuestionnaireResponse/$extract.',
  QuestionnaireResponse: 'The answers of a response that has a score (an Observation derivedFrom it, not entered-in-error) cannot change or be deleted: 422 business-rule.',
  ServiceRequest:
    'A signed order (not draft) moves forward only (active or on-hold to completed or revoked; completed and revoked are final), keeps its code and subject, and is not deleted (cancel it: status revoked); entered-in-error is always accepted. Otherwise 422 business-rule.',
  Appointment:
    'No clinician is booked twice: a write (any route, Bundles included) of an Appointment whose status holds time (proposed, pending, booked, arrived, checked-in, fulfilled) and that overlaps ' +
    'another such Appointment of one of its Practitioner participants is refused with 409 and an OperationOutcome saying who holds the time. Times are half-open [start, end); ' +
    'cancelled, noshow, entered-in-error and waitlist appointments free their time; an appointment may last at most 24 hours. Concurrent bookings of one clinician are serialised: exactly one wins.',
  Subscription:
    'Channel websocket only (others are refused, 422); criteria a search Heron can evaluate (Type?params; result parameters such as _count refused, 400); status requested is accepted as active. ' +
    'Connect to the websocket URL of rest.extension capabilitystatement-websocket, send "bearer <access token>", then "bind <Subscription id>"; "ping <id>" follows each create or update of a resource matching the criteria ' +
    'that the token\'s user may read (practice, role, scopes, patient compartments and restricted records apply as to a search). Deletes are not pinged.',
  Organization:
    'The practice\'s own Organization (identifier https://heron.dev/fhir/NamingSystem/practice|[practice id]; find it with Organization?identifier=https://heron.dev/fhir/NamingSystem/practice|) names the practice on printouts and holds its settings as extensions under https://heron.dev/fhir/StructureDefinition/: ' +
    'practice-logo, results-release (mode immediate | delayed | after-review, delayDays 1-14), patient-self-scheduling (book, cancel, reschedule, needsApproval), message-attachments (maxMegabytes 1-20, allowedType), idle-timeout-minutes (5-30, applied to signed-in sessions). ' +
    'A value out of range is refused (422 business-rule, expression naming the setting); a second one is refused (409); it cannot be deleted or lose its identifier (422). Everyone reads it; practice administrators write it. See docs/decisions/0004-practice-settings.md.',
  DocumentReference:
    'Clinical notes (US Core clinical-note). A note is signed by updating it with the signature (docStatus final, authenticator, and an attester entry in the R5 cross-version extension): only an author, as themself; a resident or student signs as preliminary naming the supervisor (note-cosigner extension), who co-signs. ' +
    'Each signature is recorded as a Provenance of the signed version. A signed note cannot be changed or deleted by any route (409 business-rule); an addendum is a new note with relatesTo appends. See docs/notes.md.',
};

function resourceCapability(type: string, revIncludes: string[]): CapabilityStatementRestResource {
  const params = searchParametersFor(type).filter((p) => p.supported);
  const includes = params.filter((p) => p.type === 'reference').map((p) => `${type}:${p.code}`);
  return {
    type: type as CapabilityStatementRestResource['type'],
    ...(TYPE_DOCUMENTATION[type] === undefined ? {} : { documentation: TYPE_DOCUMENTATION[type] }),
    profile: `http://hl7.org/fhir/StructureDefinition/${type}`,
    interaction: TYPE_INTERACTIONS.map((code) => ({ code })),
    versioning: 'versioned-update',
    readHistory: true,
    updateCreate: true,
    conditionalCreate: true,
    conditionalRead: 'not-supported',
    conditionalUpdate: true,
    conditionalDelete: 'single',
    searchInclude: ['*', `${type}:*`, ...includes],
    searchRevInclude: ['*', ...revIncludes],
    searchParam: params.map(searchParamCapability),
    operation: [VALIDATE_OPERATION, ...META_OPERATIONS, ...(TYPE_OPERATIONS[type] ?? [])],
  };
}

/**
 * The audit trail is answered from the audit log, not the resource store: read and search, with
 * the report's own parameters and sort keys, and a CSV export; create is a client reporting an
 * event, which joins the trail. Nothing in it is ever updated, patched or deleted.
 */
function auditEventCapability(): CapabilityStatementRestResource {
  const defs = new Map(searchParametersFor('AuditEvent').map((p) => [p.code, p]));
  return {
    type: 'AuditEvent',
    profile: 'http://hl7.org/fhir/StructureDefinition/AuditEvent',
    documentation:
      'The tamper-evident audit trail, append-only: never updated, patched or deleted. create reports an event (IHE BALP): it needs a scope allowing create on AuditEvent (system/AuditEvent.c, user/AuditEvent.c, v1 .write), must be valid R4, ' +
      'and is kept as sent, with meta.tag ' + REPORTED_BY_SYSTEM + ' naming the reporting client (from the access token); not inside transaction Bundles (batch is fine), no If-None-Exist. ' +
      'Each AuditEvent has one version: [id]/_history/1 reads it. _sort by ' + AUDIT_EVENT_SORT_KEYS.join(', ') + ' (prefix - for descending); _format=text/csv or Accept: text/csv exports every matching entry as CSV.',
    interaction: [{ code: 'read' }, { code: 'vread' }, { code: 'create' }, { code: 'search-type' }],
    operation: [...EMERGENCY_ACCESS_OPERATIONS, ...TYPE_OPERATIONS.AuditEvent],
    versioning: 'no-version',
    readHistory: false,
    updateCreate: false,
    conditionalCreate: false,
    conditionalRead: 'not-supported',
    conditionalUpdate: false,
    conditionalDelete: 'not-supported',
    searchParam: AUDIT_EVENT_SEARCH_PARAMETERS.map((code) => {
      const def = defs.get(code);
      // `purpose` is Heron's own (R4 defines no parameter for AuditEvent.purposeOfEvent).
      if (def === undefined) return { name: code, type: 'token', documentation: 'Purpose of use (AuditEvent.purposeOfEvent), e.g. ETREAT for break-the-glass' };
      return { name: code, definition: def.url, type: def.type as 'string' };
    }),
  };
}

/** One parameter with the modifiers Heron accepts on it (the R4 element has no structured field for them). */
function searchParamCapability(p: SearchParameterDef): NonNullable<CapabilityStatementRestResource['searchParam']>[number] {
  const modifiers = modifiersFor(p.type).map((m) => `:${m}`);
  return { name: p.code, definition: p.url, type: p.type as 'string', documentation: `Modifiers: ${modifiers.join(', ')}` };
}

/** For each type, the `Source:param` reverse includes that can reach it. */
function revIncludesByTarget(): Map<string, string[]> {
  const map = new Map<string, string[]>();
  const all = resourceTypeNames();
  for (const source of all) {
    // Audit entries live in the audit log, which no search of other types includes.
    if (source === 'AuditEvent') continue;
    for (const p of searchParametersFor(source)) {
      if (!p.supported || p.type !== 'reference') continue;
      const targets = !p.target || p.target.includes('Resource') ? all : p.target;
      for (const target of targets) map.set(target, [...(map.get(target) ?? []), `${source}:${p.code}`]);
    }
  }
  return map;
}
