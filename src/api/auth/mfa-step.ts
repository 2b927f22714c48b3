/** The second-factor step of sign-in; see `mfa.ts` for the implementation. */
import type { FastifyReply } from 'fastify';
import type { UserRecord } from '../../store/user-accounts.ts';
import type { FormContext } from './sign-in-pages.ts';

export interface MfaStep {
  /** Whether this user must give a second factor (enrolled, or the practice requires it). */
  required(user: UserRecord): Promise<boolean>;
  /** Shows the code form (or, first time, the enrolment page). */
  show(reply: FastifyReply, form: FormContext, user: UserRecord): Promise<void>;
}
