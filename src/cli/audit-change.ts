/**
 * Changes to accounts and configuration made from the command line are audited like the admin
 * API's (`api/admin/admin-call.ts`): the same action names, by the system user `heron-cli` with
 * the operating-system account that ran the command, committed durably before the command
 * reports success. The CLI reaches the database directly, so this is a record, not a control:
 * the audit trail shows who changed what, whichever door they used.
 */
import { userInfo } from 'node:os';
import { storeAuditSink } from '../domain/audit/audit-sink.ts';
import type { FhirStore } from '../store/store.ts';

export interface CliChange {
  tenant: string;
  /** As the admin API names it, e.g. `admin-user-create`. */
  action: string;
  /** What was touched: `User/…`, `Client/…`, `Practice/…`. */
  entities: string[];
  /** `Patient/…` whose record the change concerns (a patient's or proxy's account). */
  patients?: string[];
  /** What changed; never a secret. */
  detail?: Record<string, unknown>;
}

export async function recordCliChange(store: FhirStore, change: CliChange): Promise<void> {
  const sink = storeAuditSink(store.audit);
  await store.transaction(change.tenant, async (tx) => {
    await sink.record(
      {
        tenant: change.tenant,
        principal: { kind: 'system', id: 'heron-cli', tenant: change.tenant, scopes: [] },
        action: change.action,
        outcome: 'success',
        ids: change.entities,
        ...(change.patients !== undefined && change.patients.length > 0 ? { patients: change.patients } : {}),
        origin: { userAgent: `heron-cli (os user ${osUser()})` },
        at: new Date().toISOString(),
        ...(change.detail !== undefined ? { detail: JSON.stringify(change.detail) } : {}),
      },
      tx,
    );
  });
}

/** A change to one account, described from what is stored: role, email, FHIR user, patients. */
export async function recordUserChange(store: FhirStore, action: string, userId: string, detail: Record<string, unknown> = {}): Promise<void> {
  const user = await store.admin.users.get(userId);
  if (!user) throw new Error(`The user ${userId} just changed cannot be read back`);
  await recordCliChange(store, {
    tenant: user.tenant,
    action,
    entities: [`User/${user.id}`],
    ...(user.patients !== undefined ? { patients: user.patients.map((p) => `Patient/${p}`) } : {}),
    detail: {
      role: user.role,
      email: user.email,
      ...(user.fhirUser !== undefined ? { fhirUser: user.fhirUser } : {}),
      ...(user.limitedPatients !== undefined ? { limitedPatients: user.limitedPatients } : {}),
      ...detail,
    },
  });
}

function osUser(): string {
  try {
    return userInfo().username;
  } catch {
    return 'unknown';
  }
}
