/**
 * What a stored Subscription must be for Heron to deliver it (docs/subscriptions.md): a websocket
 * channel (the one channel Heron delivers) and criteria it can evaluate (`fhir/subscriptions/
 * criteria.ts`). A Subscription the client sends as `requested` is accepted as `active` in the
 * same write, as R4 lets a server do when it can start delivering at once.
 * @see https://hl7.org/fhir/R4/subscription.html
 */
import type { Subscription } from '@medplum/fhirtypes';
import { errors, FhirError, issue } from '../../fhir/outcome.ts';
import { isBareRecordCriteria } from '../access/compartment-access.ts';
import { parseCriteria } from '../../fhir/subscriptions/criteria.ts';
import { nowOf } from '../context.ts';
import type { WriteRule } from '../write-rules/write-rules.ts';

export const subscriptionRule: WriteRule = async ({ write }) => {
  const subscription = write.resource as Subscription | undefined;
  if (subscription === undefined) return; // a delete ends delivery
  if (subscription.channel?.type !== 'websocket') {
    throw new FhirError('unprocessable', [issue('not-supported', `Heron delivers Subscriptions over a websocket only (channel.type websocket), not ${JSON.stringify(subscription.channel?.type ?? '')}`, 'Subscription.channel.type')]);
  }
  parseCriteria(subscription.criteria);
  // The write's own resource object is what the store writes and answers with.
  if (subscription.status === 'requested') subscription.status = 'active';
};

/** The longest a patient's or proxy's Subscription runs: the longest session (docs/auth.md). */
export const PATIENT_SUBSCRIPTION_HOURS = 12;

/**
 * A patient or proxy (patient-bound access) makes a Subscription to a **bare type of the record**
 * (`Communication`), nothing else. What a binding is told is bounded by the binder's own access
 * already (docs/subscriptions.md), so a search parameter would narrow nothing a patient may not
 * see anyway — but a stored Subscription can be read by the practice's other users, and criteria
 * naming a patient (`?subject=Patient/123`) would tell them whose it is. It is a websocket with no
 * endpoint, headers or contacts, and ends within 12 hours, so patients' Subscriptions stay few
 * and lapse. Apps with patient scopes are held to the same.
 */
export const patientSubscriptionRule: WriteRule = async ({ ctx, write }) => {
  const p = ctx.principal;
  if (p.kind !== 'user' || p.patients === undefined) return;
  const subscription = write.resource as Subscription | undefined;
  if (write.method !== 'POST' || subscription === undefined) throw errors.forbidden('A Subscription made for a patient is not changed; make another');
  const criteria = subscription.criteria ?? '';
  // Exactly the type, as stored: patient-bound access sees only such Subscriptions (`compartment-access.ts`).
  if (!isBareRecordCriteria(criteria)) {
    throw errors.businessRule('A patient\'s Subscription watches one type of their record, with no search parameters (e.g. Communication); it is told only of their own record', 'Subscription.criteria');
  }
  const { channel } = subscription;
  if (channel?.endpoint !== undefined || channel?.payload !== undefined || (channel?.header ?? []).length > 0 || (subscription.contact ?? []).length > 0) {
    throw errors.businessRule('A patient\'s Subscription is delivered over the websocket only: no endpoint, payload, header or contact', 'Subscription.channel');
  }
  const end = subscription.end === undefined ? NaN : Date.parse(subscription.end);
  if (!(end <= nowOf(ctx) + PATIENT_SUBSCRIPTION_HOURS * 3_600_000)) {
    throw errors.businessRule(`A patient's Subscription ends within ${PATIENT_SUBSCRIPTION_HOURS} hours (give end)`, 'Subscription.end');
  }
};
