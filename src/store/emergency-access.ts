/** Break-the-glass grants, part of `FhirStore`: time-limited access of one user to one patient's restricted record. */

export interface EmergencyGrant {
  tenant: string;
  userId: string;
  /** Patient id. */
  patient: string;
  reason: string;
  /** Epoch ms. */
  grantedAt: number;
  expiresAt: number;
}

export interface EmergencyAccessStore {
  grant(grant: EmergencyGrant): Promise<void>;
  /** Patient ids the user holds an unexpired grant for at `now`. */
  activePatients(tenant: string, userId: string, now: number): Promise<string[]>;
  /** Grants made since `since` (epoch ms), newest first: the review list. */
  recent(tenant: string, since: number): Promise<EmergencyGrant[]>;
}
