/**
 * The public side of SMART Health Links: `POST /shl/{id}`, the manifest URL inside each link.
 * No account: whoever holds the link (and its passcode, when it has one) gets the encrypted
 * summary, which only the key in the link opens. The body is JSON `{recipient, passcode?,
 * embeddedLengthMax?}`; the answer `{files: [{contentType, embedded}]}`, 401
 * `{remainingAttempts}` for a wrong passcode, or 404 for a link that is unknown, revoked, expired
 * or locked. Open to every origin (CORS), as receiving apps run in browsers anywhere.
 * @see https://docs.smarthealthit.org/smart-health-links/spec/#shl-manifest-request
 */
import type { FastifyPluginAsync } from 'fastify';
import type { AuditSink } from '../../domain/audit/audit-sink.ts';
import type { Clock } from '../../domain/clock.ts';
import { openManifest, recipientOf } from '../../domain/health-links/health-links.ts';
import { errors } from '../../fhir/outcome.ts';
import type { FhirStore } from '../../store/store.ts';
import { sendError } from '../errors.ts';

export interface ManifestRoutesOptions {
  store: FhirStore;
  audit: AuditSink;
  now: Clock;
}

const CORS = { 'access-control-allow-origin': '*', 'access-control-allow-methods': 'POST', 'access-control-allow-headers': 'content-type' };
/** A manifest request is a few fields. */
const BODY_LIMIT = 4096;

export const manifestRoutes: FastifyPluginAsync<ManifestRoutesOptions> = async (app, options) => {
  app.options('/shl/:id', async (_request, reply) => reply.code(204).headers(CORS).send());
  app.post<{ Params: { id: string } }>('/shl/:id', { bodyLimit: BODY_LIMIT }, async (request, reply) => {
    reply.headers({ ...CORS, 'cache-control': 'no-store' });
    try {
      const body = request.body as { recipient?: unknown; passcode?: unknown } | undefined;
      if (body === null || typeof body !== 'object') throw errors.invalid('Send JSON: {"recipient": "who you are", "passcode": "…"}', 'body');
      const recipient = recipientOf(body.recipient);
      if (body.passcode !== undefined && typeof body.passcode !== 'string') throw errors.invalid('passcode must be a string', 'passcode');
      const answer = await openManifest(options.store, options.audit, {
        id: request.params.id,
        recipient,
        ...(typeof body.passcode === 'string' ? { passcode: body.passcode } : {}),
        ip: request.ip,
        ...(request.headers['user-agent'] ? { userAgent: request.headers['user-agent'] } : {}),
        now: options.now(),
      });
      if (answer.status === 404) return reply.code(404).send({ error: 'This link is unknown, revoked or expired.' });
      return reply.code(answer.status).send(answer.body);
    } catch (error) {
      return sendError(reply, error);
    }
  });
};
