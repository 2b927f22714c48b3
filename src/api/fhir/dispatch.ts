/**
 * The one transport-free router of FHIR interactions: a `FhirRequest` (from HTTP, a Bundle entry,
 * the CLI or a test) is matched by path shape and method to its interaction. Dispatch authorises
 * every interaction before it runs and audits it after, success or failure, so no handler can
 * forget either.
 * @see https://hl7.org/fhir/R4/http.html#summary
 */
import { authorize, letterOf, type AccessRequest, type Interaction } from '../../domain/access/authorize.ts';
import { withoutResource } from '../../domain/access/absent-resources.ts';
import { boundPatients, checkWrittenBody, hiddenFromPatientBound } from '../../domain/access/compartment-access.ts';
import { checkRecordAccess, recordAccess, restrictionsApply } from '../../domain/access/restricted-records.ts';
import { checkScopedConditional, checkScopedWrite, outsideScopes } from '../../domain/access/scope-access.ts';
import { everything } from './interactions/everything.ts';
import { findAppointments } from './interactions/find-appointments.ts';
import { summary, SUMMARY_REQUIRED_TYPES } from './interactions/patient-summary.ts';
import { createHealthLink, listHealthLinks, revokeHealthLink } from './interactions/health-links.ts';
import { connectedApps, revokeConnectedApp } from './interactions/connected-apps.ts';
import { breakTheGlass } from './interactions/break-the-glass.ts';
import { portalInvite } from './interactions/portal-invite.ts';
import { emergencyAccessQueue, reviewEmergencyAccess } from './interactions/emergency-access-review.ts';
import { changeMeta } from './interactions/meta.ts';
import { restrictedRecords } from './interactions/restricted-records-report.ts';
import type { AuditRecord } from '../../domain/audit/audit-sink.ts';
import { inTransaction, reader, type Ctx } from '../../domain/context.ts';
import { patientsInJson, patientsOf } from '../../domain/audit/patients-of.ts';
import type { Resource } from '@medplum/fhirtypes';
import { errors, FhirError } from '../../fhir/outcome.ts';
import { isResourceType } from '../../fhir/definitions.ts';
import type { FhirRequest, FhirResponse, FhirStream, StreamPart } from './fhir-request.ts';
import { auditEventsAreReadOnly, createAuditEvent, readAuditEvent, searchAuditEvents } from './interactions/audit-events.ts';
import { verifyAuditTrail } from './interactions/audit-verify.ts';
import { processBundle } from './interactions/bundle.ts';
import { capabilities } from './interactions/capabilities.ts';
import { create } from './interactions/create.ts';
import { conditionalDelete, deleteResource } from './interactions/delete.ts';
import { history } from './interactions/history.ts';
import { extract } from './interactions/extract.ts';
import { lastn } from './interactions/lastn.ts';
import { matchPatients } from './interactions/match.ts';
import { conditionalPatch, patch } from './interactions/patch.ts';
import { read } from './interactions/read.ts';
import { ID_PATTERN } from './interactions/resource-body.ts';
import { compartmentSearchTypes, searchCompartment, searchSystem, searchType, typesOf } from './interactions/search.ts';
import { isCompartmentType } from '../../fhir/search/compartment.ts';
import { conditionalUpdate, update } from './interactions/update.ts';
import { expand, lookup } from './interactions/terminology.ts';
import { validate } from './interactions/validate.ts';
import { vread } from './interactions/vread.ts';

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

/**
 * Every kind of route `resolve` produces, by its audit action. A new kind must be listed here (the
 * type requires it), and `absent-resources.int.test.ts` then fails until it has a case proving
 * that a resource absent to the caller answers there exactly like an id never used.
 */
export const ROUTE_ACTIONS = [
  'capabilities',
  'bundle',
  'search-system',
  'search-type',
  'search-compartment',
  'history-system',
  'history-type',
  'history-instance',
  'read',
  'vread',
  'create',
  'update',
  'patch',
  'delete',
  '$validate',
  '$break-the-glass',
  '$portal-invite',
  '$lastn',
  '$match',
  '$expand',
  '$lookup',
  '$extract',
  '$everything',
  '$summary',
  '$health-link',
  '$health-links',
  '$health-link-revoke',
  '$connected-apps',
  '$connected-app-revoke',
  '$meta-add',
  '$meta-delete',
  '$emergency-access',
  '$review',
  '$restricted-records',
  '$verify',
  '$find',
] as const;
export type RouteAction = (typeof ROUTE_ACTIONS)[number];

/** A resolved interaction: what to authorise, how to audit, what to run. */
interface Route {
  /** Audit action; also the interaction authorised unless `access` says otherwise. */
  action: RouteAction;
  interaction: Interaction;
  resourceType?: string;
  id?: string;
  /** What to authorise; defaults to the interaction on the route's type. */
  access?: AccessRequest[];
  /** Public (metadata) or self-authorising and self-auditing (Bundles). */
  unguarded?: boolean;
  /** Reaches a restricted record on purpose (break-the-glass), so the restricted-record check does not apply. */
  opensRestricted?: boolean;
  run: (ctx: Ctx, req: FhirRequest, route: Route) => Promise<FhirResponse>;
}

/** Interactions that write: run in a transaction that also holds their audit entry. */
const WRITES: ReadonlySet<Interaction> = new Set(['create', 'update', 'patch', 'delete']);

/**
 * Routes, authorises, runs and audits one FHIR interaction. Throws FhirError.
 *
 * A write and its audit entry commit together (dispatch opens the transaction unless the ctx is
 * already in one, as Bundle entries are); any other interaction's result is released only after
 * its audit entry committed. A failure is audited outside the failed transaction.
 */
export async function dispatch(ctx: Ctx, req: FhirRequest): Promise<FhirResponse> {
  const route = resolve(req);
  if (route.unguarded) return route.run(ctx, req, route);
  let absent = false;
  try {
    if (route.access === undefined) authorize(ctx, { interaction: route.interaction, resourceType: route.resourceType, id: route.id });
    else for (const access of route.access) authorize(ctx, access);
    // First: outside its scopes' queries a resource is absent, so no later rule may reveal it.
    absent = await checkScopedRoute(ctx, req, route);
    if (boundPatients(ctx) !== undefined) absent = (await checkPatientBound(ctx, req, route, absent)) || absent;
    // A resource absent to the caller is answered as an id never used: the interaction runs
    // against a view of the store without it (`absent-resources.ts`).
    const runCtx = absent ? withoutResource(ctx, route.resourceType as string, route.id as string) : ctx;
    // Staff through an app bound to one patient pass both checks: the patient/ scopes do not open labels.
    if (restrictionsApply(runCtx) && route.id !== undefined && route.resourceType !== undefined && !route.opensRestricted) {
      await checkRecordAccess(runCtx, await restrictedCandidate(runCtx, route.resourceType, route.id));
    }
    if (runCtx.tx === undefined && WRITES.has(route.interaction)) {
      return await runCtx.store.transaction(runCtx.tenant, (tx) => runAndAudit(inTransaction(runCtx, tx), req, route, absent));
    }
    return await runAndAudit(runCtx, req, route, absent);
  } catch (err) {
    // An interaction on an absent resource is recorded as the refusal it is (the caller cannot
    // read the audit entries of another record, so this shows it nothing).
    const recorded = audit(ctx, route, 'failure', route.id === undefined ? undefined : [route.id], undefined, false, absent ? 'forbidden' : failureReason(err));
    // Inside a transaction the failure entry waits for it to end (it would roll back with it); the
    // caller's error is what matters then, so a failure to audit it is only logged.
    if (recorded !== undefined) {
      if (ctx.tx === undefined) await recorded;
      else recorded.catch((auditErr: unknown) => ctx.onBackgroundError?.(auditErr));
    }
    throw err;
  }
}

/**
 * What the restricted-record rules judge when one resource is addressed: its current version,
 * or for a deleted one the version before the deletion, whose labels and patient still protect
 * the versions a vread or history would return.
 */
async function restrictedCandidate(ctx: Ctx, type: string, id: string): Promise<Resource | undefined> {
  const current = await reader(ctx).readCurrent(type, id);
  if (current === undefined || !current.deleted) return current?.resource;
  for (let v = Number(current.versionId) - 1; v >= 1; v--) {
    const before = await reader(ctx).readVersion(type, id, String(v));
    if (before?.resource !== undefined) return before.resource;
  }
  return undefined;
}

/**
 * Patient-bound access: conditional writes and If-None-Exist search across records first, so
 * they are refused; a written body must belong to a bound patient. Returns whether the addressed
 * resource is absent to the caller (outside its compartments). Each check depends only on the
 * request, never on what is stored, except the last, whose answer is hidden by absence.
 */
async function checkPatientBound(ctx: Ctx, req: FhirRequest, route: Route, absent: boolean): Promise<boolean> {
  const conditional = WRITES.has(route.interaction) && route.id === undefined && route.interaction !== 'create';
  if (conditional || (route.interaction === 'create' && req.headers.ifNoneExist !== undefined)) {
    throw errors.forbidden('Conditional writes are not available to patient-bound access');
  }
  if (route.resourceType === undefined) return false;
  if (WRITES.has(route.interaction)) checkWrittenBody(ctx, route.resourceType, req.body);
  return route.id !== undefined && !absent && (await hiddenFromPatientBound(ctx, route.resourceType, route.id));
}

/**
 * Granular scopes (`scope-access.ts`) for one addressed resource: returns whether it is absent to
 * the caller, outside the queries of the scopes that allow the interaction; conditional writes,
 * which search unbounded, are refused on types so limited. Searches bound themselves.
 */
async function checkScopedRoute(ctx: Ctx, req: FhirRequest, route: Route): Promise<boolean> {
  if (route.resourceType === undefined) return false;
  const letter = letterOf(route.interaction);
  if (route.id !== undefined) return outsideScopes(ctx, route.resourceType, route.id, letter);
  const conditional = WRITES.has(route.interaction) && route.interaction !== 'create';
  if (conditional || (route.interaction === 'create' && (req.headers.ifNoneExist ?? '').trim() !== '')) checkScopedConditional(ctx, route.resourceType, letter);
  return false;
}

async function runAndAudit(ctx: Ctx, req: FhirRequest, route: Route, absent: boolean): Promise<FhirResponse> {
  const response = await route.run(ctx, req, route);
  if (absent) {
    // Answered as for an id never used; nothing of the resource was read or written.
    const recorded = audit(ctx, route, 'failure', [route.id as string], undefined, true, 'forbidden');
    if (recorded !== undefined) await recorded;
    return response;
  }
  if (response.stream !== undefined) return { ...response, stream: await auditedStream(ctx, route, response.stream) };
  if (route.resourceType !== undefined && (route.interaction === 'create' || route.interaction === 'update' || route.interaction === 'patch')) {
    // Inside the write's transaction: a resource written outside the scopes is rolled back.
    const written = idsOf(route, response)?.[0];
    if (written !== undefined) await checkScopedWrite(ctx, route.resourceType, written, letterOf(route.interaction));
  }
  const patients = patientsFor(route, req, response);
  const access = ctx.principal.kind === 'user' ? await recordAccess(ctx) : undefined;
  // Whatever an emergency grant opened is audited as emergency treatment, for review.
  const purpose = access !== undefined && patients?.some((p) => access.emergency.has(p.slice('Patient/'.length))) ? 'ETREAT' : undefined;
  // A synchronous sink (the usual case in tests) costs no extra turn of the microtask queue.
  const recorded = audit(ctx, route, 'success', idsOf(route, response), patients, true, undefined, purpose);
  if (recorded !== undefined) await recorded;
  return response;
}

/**
 * A streamed response is audited part by part, as the pages of a search would be: each part's
 * entry commits before the part is released. The first part is produced and audited before the
 * response starts, so a failure there is still an error response, audited as one; a failure
 * later breaks the transfer and is audited on its own.
 */
async function auditedStream(ctx: Ctx, route: Route, stream: FhirStream): Promise<FhirStream> {
  const parts = stream.parts[Symbol.asyncIterator]();
  const release = async (part: StreamPart): Promise<StreamPart> => {
    const access = ctx.principal.kind === 'user' ? await recordAccess(ctx) : undefined;
    const purpose = access !== undefined && part.patients.some((p) => access.emergency.has(p.slice('Patient/'.length))) ? 'ETREAT' : undefined;
    await audit(ctx, route, 'success', part.ids, part.patients, true, undefined, purpose);
    return part;
  };
  let first: StreamPart | undefined;
  try {
    const next = await parts.next();
    if (!next.done) first = await release(next.value);
  } catch (err) {
    await parts.return?.();
    throw err;
  }
  async function* audited(): AsyncGenerator<StreamPart> {
    try {
      if (first === undefined) return;
      yield first;
      for (let next = await parts.next(); !next.done; next = await parts.next()) yield await release(next.value);
    } catch (err) {
      try {
        await audit(ctx, route, 'failure', undefined, undefined, false, failureReason(err));
      } catch (auditErr) {
        ctx.onBackgroundError?.(auditErr);
      }
      throw err;
    } finally {
      await parts.return?.();
    }
  }
  return { ...stream, parts: audited() };
}

/** Matches path shape and method; throws 404 for unknown paths/types, 405 for the wrong method. */
export function resolve(req: FhirRequest): Route {
  const method: Method = req.method === 'HEAD' ? 'GET' : req.method;
  const raw = req.path;
  const path = raw.startsWith('/') || raw.endsWith('/') ? raw.replace(/^\/+|\/+$/g, '') : raw;
  const segments = path === '' ? [] : path.split('/');
  const [first, second, third, fourth] = segments;

  if (segments.length === 0) {
    if (method === 'GET') return { action: 'search-system', interaction: 'search-system', access: systemSearchAccess(req), run: searchSystem };
    if (method === 'POST') return { action: 'bundle', interaction: 'batch', unguarded: true, run: (c, r) => processBundle(c, r) };
    return notAllowed(req, path);
  }
  if (segments.length === 1 && (first === '$connected-apps' || first === '$connected-app-revoke')) {
    if (method !== (first === '$connected-apps' ? 'GET' : 'POST')) return notAllowed(req, path);
    // A person's own grants: no resource type to authorise; the operation checks that a person calls.
    return { action: first, interaction: 'operation', access: [], run: first === '$connected-apps' ? connectedApps : revokeConnectedApp };
  }
  if (segments.length === 1) {
    if (first === 'metadata') return method === 'GET' ? { action: 'capabilities', interaction: 'read', unguarded: true, run: async (_c, r) => capabilities(r) } : notAllowed(req, path);
    if (first === '_history') return method === 'GET' ? { action: 'history-system', interaction: 'history-system', run: (c, r) => history(c, r) } : notAllowed(req, path);
    if (first === '_search') {
      return method === 'POST' ? { action: 'search-system', interaction: 'search-system', access: systemSearchAccess(req), run: searchSystem } : notAllowed(req, path);
    }
  }

  const type = requireType(first);
  if (type === 'AuditEvent') return auditEventRoute(req, method, segments, path);
  if (segments.length === 1) {
    switch (method) {
      case 'GET':
        return typeRoute('search-type', type, (c, r) => searchType(c, r, type));
      case 'POST':
        return typeRoute('create', type, (c, r) => create(c, r, type));
      case 'PUT':
        return typeRoute('update', type, (c, r) => conditionalUpdate(c, r, type));
      case 'PATCH':
        return typeRoute('patch', type, (c, r) => conditionalPatch(c, r, type));
      case 'DELETE':
        return typeRoute('delete', type, (c, r) => conditionalDelete(c, r, type));
    }
  }
  if (segments.length === 2 && second === '$lastn' && type === 'Observation') {
    // A search in substance: authorised and narrowed as a search of Observation.
    return method === 'GET' ? { action: '$lastn', interaction: 'search-type', resourceType: type, run: (c, r) => lastn(c, r) } : notAllowed(req, path);
  }
  if (segments.length === 2 && second === '$match' && type === 'Patient') {
    // Gathers candidates with searches of Patient, narrowed to the caller: authorised as one.
    return method === 'POST' ? { action: '$match', interaction: 'search-type', resourceType: type, run: (c, r) => matchPatients(c, r) } : notAllowed(req, path);
  }
  if (segments.length === 2 && second === '$extract' && type === 'QuestionnaireResponse') {
    // Reads the practice's Questionnaire and computes; stores nothing (the client posts the Bundle it answers).
    return method === 'POST' ? { action: '$extract', interaction: 'operation', resourceType: type, run: (c, r) => extract(c, r) } : notAllowed(req, path);
  }
  if (segments.length === 2 && second === '$find' && type === 'Appointment') {
    // Free times from clinicians' schedules, naming no patient: authorised as a search of Schedule (find-appointments.ts).
    return method === 'GET'
      ? { action: '$find', interaction: 'operation', resourceType: 'Schedule', access: [{ interaction: 'search-type', resourceType: 'Schedule' }], run: (c, r) => findAppointments(c, r) }
      : notAllowed(req, path);
  }
  if (segments.length === 2 && second === '$restricted-records' && type === 'Patient') {
    // Names and labels for the practice administrator, who the operation checks for (`privacy-officer.ts`).
    return method === 'GET' ? { action: '$restricted-records', interaction: 'search-type', resourceType: type, run: (c, r) => restrictedRecords(c, r) } : notAllowed(req, path);
  }
  if (segments.length === 2 && second.startsWith('$')) {
    const terminology = terminologyRoute(req, method, type, second, undefined, path);
    if (terminology !== undefined) return terminology;
    if (second !== '$validate') throw unknownOperation(second);
    return method === 'POST' ? { action: '$validate', interaction: 'operation', resourceType: type, run: (c, r) => validate(c, r, type) } : notAllowed(req, path);
  }
  if (segments.length === 2 && second === '_search') return method === 'POST' ? typeRoute('search-type', type, (c, r) => searchType(c, r, type)) : notAllowed(req, path);
  if (segments.length === 2 && second === '_history') return method === 'GET' ? typeRoute('history-type', type, (c, r) => history(c, r, type)) : notAllowed(req, path);

  const id = requireId(second);
  if (segments.length === 2) {
    switch (method) {
      case 'GET':
        return instanceRoute('read', type, id, runRead);
      case 'PUT':
        return instanceRoute('update', type, id, (c, r) => update(c, r, type, id));
      case 'PATCH':
        return instanceRoute('patch', type, id, (c, r) => patch(c, r, type, id));
      case 'DELETE':
        return instanceRoute('delete', type, id, (c, r) => deleteResource(c, r, type, id));
      default:
        return notAllowed(req, path);
    }
  }
  if (segments.length === 3 && third === '$break-the-glass' && type === 'Patient') {
    if (method !== 'POST') return notAllowed(req, path);
    return { ...operationRoute('$break-the-glass', type, id, (c, r) => breakTheGlass(c, r, id)), opensRestricted: true };
  }
  if (segments.length === 3 && third === '$portal-invite' && type === 'Patient') {
    if (method !== 'POST') return notAllowed(req, path);
    // Reading the Patient is what it needs; who may invite (the roles that register patients) is checked by the operation.
    return { action: '$portal-invite', interaction: 'operation', resourceType: type, id, access: [{ interaction: 'read', resourceType: type, id }], run: (c, r) => portalInvite(c, r, id) };
  }
  if (segments.length === 3 && third === '$everything' && type === 'Patient') {
    if (method !== 'GET') return notAllowed(req, path);
    // The Patient is read; the member types are searched (without _type, those the caller may search, as `Patient/1/*`).
    const types = typesOf(req.query).filter((t) => t !== 'Patient');
    return {
      action: '$everything',
      interaction: 'read',
      resourceType: type,
      id,
      access: [{ interaction: 'read', resourceType: type, id }, ...types.map((resourceType) => ({ interaction: 'search-type' as const, resourceType }))],
      run: (c, r) => everything(c, r, id),
    };
  }
  if (segments.length === 3 && type === 'Patient' && (third === '$health-link' || third === '$health-links' || third === '$health-link-revoke')) {
    const run = third === '$health-link' ? createHealthLink : third === '$health-links' ? listHealthLinks : revokeHealthLink;
    if (method !== (third === '$health-links' ? 'GET' : 'POST')) return notAllowed(req, path);
    // Reading the Patient is what they need; who may make links (the patient, a proxy) is checked by the operation.
    return { action: third, interaction: 'read', resourceType: type, id, access: [{ interaction: 'read', resourceType: type, id }], run: (c, r) => run(c, r, id) };
  }
  if (segments.length === 3 && third === '$summary' && type === 'Patient') {
    if (method !== 'GET') return notAllowed(req, path);
    return {
      action: '$summary',
      interaction: 'read',
      resourceType: type,
      id,
      access: [{ interaction: 'read', resourceType: type, id }, ...SUMMARY_REQUIRED_TYPES.map((resourceType) => ({ interaction: 'search-type' as const, resourceType }))],
      run: (c, r) => summary(c, r, id),
    };
  }
  if (segments.length === 3 && (third === '$meta-add' || third === '$meta-delete')) {
    if (method !== 'POST') return notAllowed(req, path);
    // Who may is decided by the operation (an update, or a practice administrator's labels only),
    // which also applies the restricted-record rules to whoever is not changing labels alone.
    const change = third === '$meta-add' ? 'add' : 'delete';
    return { action: third, interaction: 'update', resourceType: type, id, access: [], opensRestricted: true, run: (c, r) => changeMeta(c, r, type, id, change) };
  }
  if (segments.length === 3 && third.startsWith('$')) {
    const terminology = terminologyRoute(req, method, type, third, id, path);
    if (terminology !== undefined) return terminology;
    if (third !== '$validate') throw unknownOperation(third);
    if (method !== 'POST' && method !== 'GET') return notAllowed(req, path);
    return operationRoute('$validate', type, id, (c, r) => validate(c, r, type, id));
  }
  if (isCompartmentType(type) && (third === '*' || isResourceType(third))) {
    const searchable = (segments.length === 3 && method === 'GET') || (segments.length === 4 && fourth === '_search' && method === 'POST');
    if (!searchable) return notAllowed(req, path);
    // `Patient/1/*` without _type covers the member types the caller may search (searchCompartment filters them).
    const types = third === '*' && typesOf(req.query).length === 0 ? [] : compartmentSearchTypes(type, third, req.query);
    return {
      action: 'search-compartment',
      interaction: 'search-type',
      resourceType: third === '*' ? undefined : third,
      access: types.map((resourceType) => ({ interaction: 'search-type', resourceType })),
      run: (c, r) => searchCompartment(c, r, type, id, third),
    };
  }
  if (third === '_history' && segments.length === 3) {
    return method === 'GET' ? instanceRoute('history-instance', type, id, (c, r) => history(c, r, type, id)) : notAllowed(req, path);
  }
  if (third === '_history' && segments.length === 4) {
    return method === 'GET' ? instanceRoute('vread', type, id, (c, r) => vread(c, r, type, id, fourth)) : notAllowed(req, path);
  }
  throw errors.notFound(`No FHIR interaction has the path ${path}`);
}

/**
 * AuditEvents come from the audit log: read, searched and reported (create), never updated,
 * patched or deleted, conditional forms included (see `audit-events.ts`).
 */
function auditEventRoute(req: FhirRequest, method: Method, segments: string[], path: string): Route {
  const [, second, third] = segments;
  if (segments.length === 2 && second === '$emergency-access') {
    return method === 'GET' ? { action: '$emergency-access', interaction: 'search-type', resourceType: 'AuditEvent', run: (c, r) => emergencyAccessQueue(c, r) } : notAllowed(req, path);
  }
  if (segments.length === 3 && third === '$review') {
    // Appends to the trail: authorised as reporting to it, then the operation requires the practice administrator.
    if (method !== 'POST') return notAllowed(req, path);
    return { action: '$review', interaction: 'operation', resourceType: 'AuditEvent', id: second, access: [{ interaction: 'create', resourceType: 'AuditEvent' }], run: (c, r) => reviewEmergencyAccess(c, r, second) };
  }
  if (segments.length === 1 && method === 'GET') return typeRoute('search-type', 'AuditEvent', (c, r) => searchAuditEvents(c, r));
  if (segments.length === 1 && method === 'POST') return typeRoute('create', 'AuditEvent', (c, r) => createAuditEvent(c, r));
  if (segments.length === 2 && second === '_search' && method === 'POST') return typeRoute('search-type', 'AuditEvent', (c, r) => searchAuditEvents(c, r));
  if (segments.length === 2 && second === '$verify') {
    // Reads the whole trail: authorised as a search of it (practice administrators; services with a scope to search it).
    return method === 'GET' ? { action: '$verify', interaction: 'search-type', resourceType: 'AuditEvent', run: (c) => verifyAuditTrail(c) } : notAllowed(req, path);
  }
  if (segments.length === 2 && method === 'GET') return instanceRoute('read', 'AuditEvent', second, (c) => readAuditEvent(c, second));
  // Each AuditEvent is its one and only version, so the Location of a create (`_history/1`) reads it.
  if (segments.length === 4 && segments[2] === '_history' && method === 'GET') {
    const version = segments[3];
    return instanceRoute('vread', 'AuditEvent', second, (c) => (version === '1' ? readAuditEvent(c, second) : Promise.reject(errors.notFound(`AuditEvent/${second} has no version ${version}`))));
  }
  if (segments.length <= 2 && method !== 'GET') return auditEventsAreReadOnly();
  return notAllowed(req, path);
}

/**
 * `ValueSet/$expand` and `CodeSystem/$lookup`, type-level or on an id. The id names terminology
 * every practice shares (`store/terminology.ts`), not a practice's stored resource, so the route
 * addresses no resource: the record rules that judge one (absence, restricted records) have
 * nothing to judge; the role and scopes must still allow reading the type.
 */
function terminologyRoute(req: FhirRequest, method: Method, type: string, name: string, id: string | undefined, path: string): Route | undefined {
  let run: Route['run'] | undefined;
  if (type === 'ValueSet' && name === '$expand') run = (c, r) => expand(c, r, id);
  else if (type === 'CodeSystem' && name === '$lookup') run = (c, r) => lookup(c, r, id);
  if (run === undefined) return undefined;
  if (method !== 'GET' && method !== 'POST') return notAllowed(req, path);
  return { action: name as '$expand' | '$lookup', interaction: 'operation', resourceType: type, run };
}

/** Module-level rather than a closure per request: read by id is the hottest route. */
function runRead(ctx: Ctx, req: FhirRequest, route: Route): Promise<FhirResponse> {
  return read(ctx, req, route.resourceType as string, route.id as string);
}

function notAllowed(req: FhirRequest, path: string): never {
  throw errors.notAllowed(`${req.method} is not allowed on ${path === '' ? 'the FHIR base' : path}`);
}

function typeRoute(interaction: Interaction & RouteAction, resourceType: string, run: Route['run']): Route {
  return { action: interaction, interaction, resourceType, run };
}

function instanceRoute(interaction: Interaction & RouteAction, resourceType: string, id: string, run: Route['run']): Route {
  return { action: interaction, interaction, resourceType, id, run };
}

/** An operation (`$name`) on one resource, audited under its name. */
function operationRoute(action: RouteAction & `$${string}`, resourceType: string, id: string, run: Route['run']): Route {
  return { action, interaction: 'operation', resourceType, id, run };
}

/** A type-scoped client may search the types it names in `_type`; without `_type`, all types. */
function systemSearchAccess(req: FhirRequest): AccessRequest[] {
  const types = typesOf(req.query);
  if (types.length === 0) return [{ interaction: 'search-system' }];
  return types.map((resourceType) => ({ interaction: 'search-system', resourceType }));
}

function requireType(segment: string): string {
  if (!isResourceType(segment)) throw errors.notFound(`${JSON.stringify(segment)} is not a FHIR R4 resource type`);
  return segment;
}

function requireId(segment: string): string {
  if (!ID_PATTERN.test(segment)) throw errors.invalid(`${JSON.stringify(segment)} is not a valid FHIR id`);
  return segment;
}

function unknownOperation(name: string) {
  return errors.notFound(`The operation ${name} is not supported here; see the CapabilityStatement at metadata`);
}

/**
 * Records the interaction; returns what the sink returns, so that only a sink with a promise
 * costs a wait. `inTx`: as part of the ctx's transaction (success), or on its own (failure).
 */
function audit(ctx: Ctx, route: Route, outcome: 'success' | 'failure', ids: string[] | undefined, patients: string[] | undefined, inTx: boolean, reason?: string, purpose?: string): void | Promise<void> {
  const entry: AuditRecord = {
    tenant: ctx.tenant,
    principal: ctx.principal,
    action: route.action,
    outcome,
    resourceType: route.resourceType,
    ids,
    patients,
    origin: ctx.origin,
    at: new Date().toISOString(),
  };
  if (reason !== undefined) entry.reason = reason;
  if (purpose !== undefined) entry.purpose = purpose;
  return ctx.audit.record(entry, inTx ? ctx.tx : undefined);
}

/** What went wrong, in the terms clients saw (the error category), never internals. */
function failureReason(err: unknown): string {
  return err instanceof FhirError ? err.category : 'internal error';
}

/** The patients whose record the interaction read or wrote. */
function patientsFor(route: Route, req: FhirRequest, response: FhirResponse): string[] | undefined {
  if (response.patients !== undefined) return response.patients;
  if (route.interaction === 'delete') return route.resourceType === 'Patient' && route.id !== undefined ? [`Patient/${route.id}`] : undefined;
  if (response.rawBody !== undefined && route.resourceType !== undefined) return patientsInJson(route.resourceType, route.id, response.rawBody);
  const body = response.body;
  if (body?.resourceType === 'Bundle') return patientsOf((body.entry ?? []).map((e) => e.resource).filter((r): r is Resource => r !== undefined && r.resourceType !== 'OperationOutcome'));
  if (body !== undefined && body.resourceType !== 'OperationOutcome') return patientsOf([body]);
  const written = req.body as Resource | undefined;
  return written?.resourceType !== undefined && WRITES.has(route.interaction) ? patientsOf([written]) : undefined;
}

/** The ids an interaction touched: the URL's id, a created resource's id, or a search's matches. */
function idsOf(route: Route, response: FhirResponse): string[] | undefined {
  if (route.id !== undefined) return [route.id];
  const url = response.headers?.location ?? response.headers?.contentLocation;
  const written = url === undefined ? undefined : /\/([A-Za-z0-9\-.]{1,64})\/_history\/[^/]+$/.exec(url)?.[1];
  if (written !== undefined) return [written];
  const body = response.body;
  if (body?.resourceType === 'Bundle' && body.type === 'searchset') {
    const matches = (body.entry ?? []).filter((e) => e.search?.mode === 'match' && e.resource?.id !== undefined).map((e) => e.resource!);
    // Type-level: plain ids (the record names the type); system-level: `Type/id`.
    return matches.map((r) => (route.resourceType === undefined ? `${r.resourceType}/${r.id}` : (r.id as string)));
  }
  return undefined;
}
