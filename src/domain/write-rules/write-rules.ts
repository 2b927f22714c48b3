/**
 * Rules a write must pass beyond FHIR validity and access, decided by what is stored: a signed
 * note cannot change, a slot cannot be booked twice. They sit under every FHIR write — create,
 * update, patch, delete, conditional or not, alone or in a Bundle, from the API or `heron
 * import` — because they run inside the store transaction, at the one call every route shares
 * (`writeVersion`), with the version about to be replaced. A rule refuses by throwing a
 * `FhirError`, which rolls the whole transaction back.
 */
import type { StoredVersion, StoreTransaction, VersionWrite } from '../../store/store.ts';
import type { Ctx } from '../context.ts';
import { overlay } from '../overlay.ts';
import { scoreMatchesAnswers, scoredAnswersStay } from '../questionnaires/score-rules.ts';
import { signedOrdersStay } from '../orders/order-rules.ts';
import { noDoubleBooking } from './double-booking.ts';
import { patientSubscriptionRule, subscriptionRule } from '../subscriptions/subscription-rule.ts';
import { resultReviewRule } from '../inbox/result-review.ts';
import { signatureProvenanceRule, signedNoteRule } from './signed-notes.ts';
import { patientAnswersRule, patientCorrectionRule, patientFileRule, patientMessageRule } from '../portal/patient-writes.ts';
import { correctionDecisionRule } from '../portal/correction-decision.ts';
import { patientAppointmentRule } from '../portal/patient-appointments.ts';
import { patientFormTaskRule } from '../portal/form-tasks.ts';
import { formSentReviewRule } from '../portal/form-review.ts';
import { patientAnswersScored } from '../questionnaires/patient-scores.ts';
import { practiceOrganizationRule } from '../practice-settings/practice-organization-rule.ts';

/** One write about to happen. */
export interface ProposedWrite {
  ctx: Ctx;
  tx: StoreTransaction;
  write: VersionWrite;
  /**
   * The version it replaces (undefined for a new resource), read only when a rule asks and once
   * for all the rules: most writes (an import's Observations) are settled by the new resource alone.
   */
  current: () => Promise<StoredVersion | undefined>;
}

/** Throws a FhirError to refuse the write. */
export type WriteRule = (proposed: ProposedWrite) => Promise<void>;

/** The rules of each resource type; a type without rules is written as before. */
export type WriteRules = Readonly<Record<string, readonly WriteRule[]>>;

/** Every rule Heron enforces, by resource type. */
export const WRITE_RULES: WriteRules = {
  // Screening scores agree with their answers (docs/questionnaires.md); a new lab result gets its
  // review Task in the clinician's inbox (docs/subscriptions.md).
  Observation: [scoreMatchesAnswers, resultReviewRule],
  // A patient's completed answers to a scored questionnaire are written with their score.
  QuestionnaireResponse: [scoredAnswersStay, patientAnswersRule, patientAnswersScored],
  // What patients and proxies write from the portal: from them, about their record (docs/portal.md).
  Communication: [patientMessageRule],
  // …and the practice's answer to a correction request: by someone who may change the item, a denial with its reason.
  // A form a patient sends lands in the inbox of whoever sent it (docs/questionnaires.md).
  Task: [patientCorrectionRule, correctionDecisionRule, patientFormTaskRule, formSentReviewRule],
  Binary: [patientFileRule],
  // A signed lab order moves forward only and keeps what it asks for (docs/orders.md).
  ServiceRequest: [signedOrdersStay],
  // No clinician is booked twice; patients book within the practice's settings (docs/scheduling.md).
  Appointment: [patientAppointmentRule, noDoubleBooking],
  Subscription: [subscriptionRule, patientSubscriptionRule],
  DiagnosticReport: [resultReviewRule],
  DocumentReference: [signedNoteRule],
  Provenance: [signatureProvenanceRule],
  // The practice's own Organization: one, with valid settings (docs/decisions/0004-practice-settings.md).
  Organization: [practiceOrganizationRule],
};

/** The transaction with every write checked against `rules` first (inside the transaction, so the check and the write see the same data). */
export function guardWrites(ctx: Ctx, tx: StoreTransaction, rules: WriteRules = WRITE_RULES): StoreTransaction {
  return overlay(tx, {
    writeVersion: async (write: VersionWrite) => {
      const forType = rules[write.resourceType];
      if (forType !== undefined && forType.length > 0) {
        let read: Promise<StoredVersion | undefined> | undefined;
        const current = () => (read ??= write.method === 'POST' ? Promise.resolve(undefined) : tx.readCurrent(write.resourceType, write.id));
        for (const rule of forType) await rule({ ctx, tx, write, current });
      }
      return tx.writeVersion(write);
    },
  });
}
