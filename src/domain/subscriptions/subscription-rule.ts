/**
 * What a stored Subscription must be for Heron to deliver it (docs/subscriptions.md): a websocket
 * channel (the one channel Heron delivers) and criteria it can evaluate (`fhir/subscriptions/
 * criteria.ts`). A Subscription the client sends as `requested` is accepted as `active` in the
 * same write, as R4 lets a server do when it can start delivering at once.
 * @see https://hl7.org/fhir/R4/subscription.html
 */
import type { Subscription } from '@medplum/fhirtypes';
import { FhirError, issue } from '../../fhir/outcome.ts';
import { parseCriteria } from '../../fhir/subscriptions/criteria.ts';
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
