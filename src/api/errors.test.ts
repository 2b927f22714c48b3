import { describe, expect, it, vi } from 'vitest';
import Fastify from 'fastify';
import { type ErrorCategory, errors, FhirError } from '../fhir/outcome.ts';
import { errorReply, installErrorHandlers, statusFor } from './errors.ts';

const silent = { error: vi.fn() };

describe('statusFor', () => {
  it.each([
    ['invalid', 400],
    ['unauthenticated', 401],
    ['forbidden', 403],
    ['not-found', 404],
    ['not-allowed', 405],
    ['not-acceptable', 406],
    ['conflict', 409],
    ['gone', 410],
    ['precondition-failed', 412],
    ['too-large', 413],
    ['unsupported-media-type', 415],
    ['unprocessable', 422],
    ['too-many-requests', 429],
    ['internal', 500],
    ['unavailable', 503],
  ] as [ErrorCategory, number][])('maps %s to %i', (category, status) => {
    expect(statusFor(category)).toBe(status);
  });
});

describe('errorReply', () => {
  it('turns a FhirError into its status and OperationOutcome, keeping its headers', () => {
    const reply = errorReply(new FhirError('too-many-requests', 'slow down', { 'Retry-After': '5' }), silent);
    expect(reply.status).toBe(429);
    expect(reply.headers).toEqual({ 'Retry-After': '5' });
    expect(reply.body).toEqual({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'throttled', diagnostics: 'slow down' }] });
  });

  it('adds a Bearer challenge to 401 unless one is given', () => {
    expect(errorReply(errors.unauthenticated('no token'), silent).headers).toEqual({ 'WWW-Authenticate': 'Bearer' });
    const given = new FhirError('unauthenticated', 'expired', { 'www-authenticate': 'Bearer error="invalid_token"' });
    expect(errorReply(given, silent).headers).toEqual({ 'www-authenticate': 'Bearer error="invalid_token"' });
  });

  it('hides unexpected errors behind an error id and logs them', () => {
    const log = { error: vi.fn() };
    const reply = errorReply(new TypeError('secret internals at /srv/db.ts:12'), log);
    expect(reply.status).toBe(500);
    const text = JSON.stringify(reply.body);
    expect(text).not.toContain('secret');
    const errorId = /reference ([0-9a-f-]{36})/.exec(reply.body.issue[0].diagnostics ?? '')?.[1];
    expect(errorId).toBeDefined();
    expect(log.error).toHaveBeenCalledWith(expect.objectContaining({ errorId }), 'unexpected error');
  });

  it('maps Fastify client errors by code and by status', () => {
    expect(errorReply(Object.assign(new Error('Request body is too large'), { code: 'FST_ERR_CTP_BODY_TOO_LARGE', statusCode: 413 }), silent).status).toBe(413);
    expect(errorReply(Object.assign(new Error('Unsupported Media Type'), { code: 'FST_ERR_CTP_INVALID_MEDIA_TYPE', statusCode: 415 }), silent).status).toBe(415);
    expect(errorReply(Object.assign(new Error('bad'), { statusCode: 400 }), silent).status).toBe(400);
    expect(errorReply(Object.assign(new Error('boom'), { statusCode: 502 }), silent).status).toBe(500);
  });
});

describe('installErrorHandlers', () => {
  it('answers unknown routes with 404 and known paths with a wrong method with 405', async () => {
    const app = Fastify();
    installErrorHandlers(app, (request) => request.url.startsWith('/fhir'));
    app.get('/fhir/x', async () => 'ok');
    app.get('/boom', async () => {
      throw new Error('kaboom');
    });
    const notFound = await app.inject({ method: 'GET', url: '/nowhere' });
    expect(notFound.statusCode).toBe(404);
    expect(notFound.json().resourceType).toBe('OperationOutcome');
    const notAllowed = await app.inject({ method: 'OPTIONS', url: '/fhir/x' });
    expect(notAllowed.statusCode).toBe(405);
    const boom = await app.inject({ method: 'GET', url: '/boom' });
    expect(boom.statusCode).toBe(500);
    expect(boom.body).not.toContain('kaboom');
  });
});
