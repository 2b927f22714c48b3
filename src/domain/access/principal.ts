/**
 * Who is acting: a user signed in through an app (SMART authorization code flow), an OAuth
 * client acting for itself (client_credentials / backend services), or the system (CLI, jobs).
 */

/** Roles a practice gives its users; what each may do is data in `roles.ts`, documented in docs/access.md. */
export type Role = 'physician' | 'resident' | 'student' | 'nurse' | 'medical-assistant' | 'front-desk' | 'billing' | 'practice-admin' | 'patient' | 'proxy';

export const ROLES: readonly Role[] = ['physician', 'resident', 'student', 'nurse', 'medical-assistant', 'front-desk', 'billing', 'practice-admin', 'patient', 'proxy'];

export type Principal =
  | { kind: 'client'; id: string; tenant: string; scopes: string[] }
  | { kind: 'system'; id: string; tenant: string; scopes: string[] }
  | {
      kind: 'user';
      /** The user's id (token `sub`). */
      id: string;
      tenant: string;
      /** Scopes the user granted the app; they narrow, never widen, what the role allows. */
      scopes: string[];
      role: Role;
      /** The FHIR resource the user is: `Practitioner/…`, `Patient/…` or `RelatedPerson/…`. */
      fhirUser?: string;
      /**
       * The patients whose compartment bounds everything this user sees: the patient themself, or
       * the patients a proxy acts for. Undefined for staff.
       */
      patients?: string[];
      /**
       * Of `patients`, those a proxy acts for with limited access (an adolescent's parent): only
       * the types `limitedProxyAllows` are visible of their records.
       */
      limitedPatients?: string[];
      /** The OAuth client (app) the user signed in through. */
      clientId?: string;
    };
