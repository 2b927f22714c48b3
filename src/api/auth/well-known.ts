/**
 * Discovery documents: `/.well-known/smart-configuration` (SMART App Launch 2.x §Conformance)
 * and `/.well-known/openid-configuration` (OpenID Connect Discovery), which tell apps and backend
 * services where to sign users in and get tokens, and `/.well-known/jwks.json`, the public key
 * that checks our tokens. Everything listed is what the server actually does.
 * @see https://hl7.org/fhir/smart-app-launch/conformance.html
 */
import type { JWK } from 'jose';
import { ASSERTION_ALGORITHMS } from '../../domain/clients/client-keys.ts';

export interface SmartConfiguration {
  issuer: string;
  jwks_uri: string;
  authorization_endpoint: string;
  token_endpoint: string;
  revocation_endpoint: string;
  introspection_endpoint: string;
  grant_types_supported: string[];
  response_types_supported: string[];
  code_challenge_methods_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  token_endpoint_auth_signing_alg_values_supported: string[];
  scopes_supported: string[];
  capabilities: string[];
}

const GRANT_TYPES = ['authorization_code', 'client_credentials', 'refresh_token'];
// private_key_jwt: backend services and apps registered with public keys (`heron client create
// --jwks-…`, `heron app register --jwks-…`), one verification for both (client-assertion.ts).
export const AUTH_METHODS = ['client_secret_basic', 'client_secret_post', 'private_key_jwt', 'none'];
export const AUTH_SIGNING_ALGS = [...ASSERTION_ALGORITHMS];
const SCOPES = [
  'openid',
  'fhirUser',
  'launch',
  'launch/patient',
  'offline_access',
  'online_access',
  // The practice-admin API (docs/auth.md, "Admin API"); granted only to practice administrators.
  'heron/admin',
  'patient/*.read',
  'patient/*.rs',
  'patient/*.cruds',
  'user/*.read',
  'user/*.write',
  'user/*.*',
  'user/*.rs',
  'user/*.cruds',
  'system/*.read',
  'system/*.write',
  'system/*.*',
  'system/*.cruds',
  'system/*.rs',
  // SMART 2 granular scopes: examples of the category queries SMART requires servers to support on
  // Observation and Condition. Any query of the type's search parameters works (docs/access.md).
  ...['laboratory', 'social-history', 'vital-signs', 'survey'].map((code) => `patient/Observation.rs?category=http://terminology.hl7.org/CodeSystem/observation-category|${code}`),
  ...['encounter-diagnosis', 'problem-list-item'].map((code) => `patient/Condition.rs?category=http://terminology.hl7.org/CodeSystem/condition-category|${code}`),
];

/** The SMART configuration of a server whose root URL is `serverRoot`. */
export function smartConfiguration(serverRoot: string): SmartConfiguration {
  return {
    issuer: serverRoot,
    jwks_uri: `${serverRoot}/.well-known/jwks.json`,
    authorization_endpoint: `${serverRoot}/oauth2/authorize`,
    token_endpoint: `${serverRoot}/oauth2/token`,
    revocation_endpoint: `${serverRoot}/oauth2/revoke`,
    introspection_endpoint: `${serverRoot}/oauth2/introspect`,
    grant_types_supported: GRANT_TYPES,
    response_types_supported: ['code'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: AUTH_SIGNING_ALGS,
    scopes_supported: SCOPES,
    capabilities: [
      'launch-ehr',
      'launch-standalone',
      'client-public',
      'client-confidential-symmetric',
      // Apps registered with public keys authenticate with private_key_jwt at the token endpoint.
      'client-confidential-asymmetric',
      'sso-openid-connect',
      // Patient and proxy users get their (chosen) patient as launch context, staff the one they pick.
      'context-standalone-patient',
      // POST /oauth2/launch, then launch= at the authorization endpoint.
      'context-ehr-patient',
      'context-ehr-encounter',
      'permission-offline',
      'permission-online',
      'permission-patient',
      'permission-user',
      'permission-v1',
      'permission-v2',
      'authorize-post',
    ],
  };
}

/** The OpenID Connect discovery document. */
export function openidConfiguration(serverRoot: string): Record<string, unknown> {
  const smart = smartConfiguration(serverRoot);
  return {
    issuer: serverRoot,
    authorization_endpoint: smart.authorization_endpoint,
    token_endpoint: smart.token_endpoint,
    jwks_uri: smart.jwks_uri,
    revocation_endpoint: smart.revocation_endpoint,
    introspection_endpoint: smart.introspection_endpoint,
    response_types_supported: ['code'],
    grant_types_supported: GRANT_TYPES,
    subject_types_supported: ['public'],
    id_token_signing_alg_values_supported: ['ES256'],
    code_challenge_methods_supported: ['S256'],
    token_endpoint_auth_methods_supported: AUTH_METHODS,
    token_endpoint_auth_signing_alg_values_supported: AUTH_SIGNING_ALGS,
    scopes_supported: SCOPES.filter((s) => !s.startsWith('system/')),
    claims_supported: ['iss', 'sub', 'aud', 'exp', 'iat', 'nonce', 'fhirUser'],
  };
}

/** The JSON Web Key Set document. */
export function jwksDocument(jwks: { keys: JWK[] }): { keys: JWK[] } {
  return { keys: jwks.keys.map((k) => ({ ...k })) };
}
