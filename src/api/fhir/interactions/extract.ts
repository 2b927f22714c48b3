/**
 * `POST [base]/QuestionnaireResponse/$extract` (SDC's observation-based extraction) with a
 * QuestionnaireResponse (or Parameters with `questionnaire-response`): answers a transaction
 * Bundle that saves the response and, when its Questionnaire is scored and every scored question
 * is answered, the score Observation derived from it (a new response always: an `id` sent is
 * dropped). Nothing is stored: the client posts the
 * Bundle (where the write rule checks the score again, so a changed Bundle is refused).
 *
 * Scoring lives here, on the server, so every app gets the same score from the practice's own
 * Questionnaire, and the browser holds no copy of the published bands (docs/questionnaires.md).
 * @see https://build.fhir.org/ig/HL7/sdc/OperationDefinition-QuestionnaireResponse-extract.html
 */
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Parameters, QuestionnaireResponse } from '@medplum/fhirtypes';
import { reader, type Ctx } from '../../../domain/context.ts';
import { findQuestionnaire } from '../../../domain/questionnaires/find-questionnaire.ts';
import { scoreDefinition } from '../../../domain/questionnaires/score-definition.ts';
import { scoreObservation } from '../../../domain/questionnaires/score-observation.ts';
import { scoreResponse } from '../../../domain/questionnaires/scoring.ts';
import { errors, FhirError, issue } from '../../../fhir/outcome.ts';
import type { FhirRequest, FhirResponse } from '../fhir-request.ts';

function responseOf(body: unknown): QuestionnaireResponse {
  const resource = body as QuestionnaireResponse | Parameters | undefined;
  const response = resource?.resourceType === 'Parameters' ? resource.parameter?.find((p) => p.name === 'questionnaire-response')?.resource : resource;
  if (response?.resourceType !== 'QuestionnaireResponse') throw errors.invalid('Send a QuestionnaireResponse, or Parameters with a questionnaire-response parameter holding one');
  return response;
}

export async function extract(ctx: Ctx, req: FhirRequest): Promise<FhirResponse> {
  const response = responseOf(req.body);
  if (!response.questionnaire) throw errors.invalid('The QuestionnaireResponse must name its Questionnaire (questionnaire: its canonical URL)', 'QuestionnaireResponse.questionnaire');
  const questionnaire = await findQuestionnaire(reader(ctx), response.questionnaire);
  if (!questionnaire) throw errors.notFound(`This practice has no Questionnaire ${response.questionnaire}`);
  // Always a new response: the answers of a scored one never change (`score-rules.ts`), and a
  // create is processed before any update in a transaction, so the score finds its answers.
  const { id: _ignored, meta: _meta, ...answers } = response;
  const responseUrl = `urn:uuid:${randomUUID()}`;
  const entry: BundleEntry[] = [{ fullUrl: responseUrl, resource: answers, request: { method: 'POST', url: 'QuestionnaireResponse' } }];
  const definition = scoreDefinition(questionnaire);
  if (definition && response.status === 'completed') {
    const result = scoreResponse(definition, answers);
    if (result.kind === 'invalid') throw new FhirError('unprocessable', result.problems.map((p) => issue('business-rule', p, 'QuestionnaireResponse.item')));
    if (result.kind === 'incomplete') {
      throw new FhirError('unprocessable', [issue('required', `A completed ${definition.title} needs every question answered to be scored; not answered: ${result.missing.map((q) => `“${q.text}”`).join(', ')}.`, 'QuestionnaireResponse.item')]);
    }
    const observation = scoreObservation(definition, answers, { reference: responseUrl }, result);
    entry.push({ fullUrl: `urn:uuid:${randomUUID()}`, resource: observation, request: { method: 'POST', url: 'Observation' } });
  }
  const bundle: Bundle = { resourceType: 'Bundle', type: 'transaction', entry };
  return { status: 200, body: bundle };
}
