import { useSearchParams } from 'react-router';
import { useAuth, useUser } from '../../auth/auth-context.tsx';
import { decodeJwtPayload } from '../../auth/session.ts';

/**
 * Whose record a portal screen is about: `?patient=` (a proxy's chosen patient), else the signed-in
 * patient's own (`fhirUser`), else the first patient the token is for (a proxy who chose none).
 * The server decides what this person may do with it.
 */
export function usePortalPatientId(): string | undefined {
  const [params] = useSearchParams();
  const user = useUser();
  const { session } = useAuth();
  const chosen = params.get('patient');
  if (chosen) return chosen;
  if (user.fhirUser?.startsWith('Patient/')) return user.fhirUser.slice('Patient/'.length);
  const token = session.currentAccessToken();
  const patients = token ? decodeJwtPayload(token).patients : undefined;
  return Array.isArray(patients) && typeof patients[0] === 'string' ? patients[0] : undefined;
}
