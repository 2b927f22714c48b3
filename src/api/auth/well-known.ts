/**
 * Discovery documents: `/.well-known/smart-configuration` (SMART App Launch 2.0 §Conformance),
 * which tells backend services where to get tokens and how to authenticate, and
 * `/.well-known/jwks.json`, the public key resource servers use to check our tokens.
 * Everything listed is what the server actually does today; issue #4 adds user login flows.
 * @see https://hl7.org/fhir/smart-app-launch/conformance.html
 */
import type { JWK } from 'jose';

export interface SmartConfiguration {
  issuer: string;
  jwks_uri: string;
  token_endpoint: string;
  grant_types_supported: string[];
  token_endpoint_auth_methods_supported: string[];
  scopes_supported: string[];
  capabilities: string[];
}

/** The SMART configuration of a server whose root URL is `serverRoot`. */
export function smartConfiguration(serverRoot: string): SmartConfiguration {
  return {
    issuer: serverRoot,
    jwks_uri: `${serverRoot}/.well-known/jwks.json`,
    token_endpoint: `${serverRoot}/oauth2/token`,
    grant_types_supported: ['client_credentials'],
    token_endpoint_auth_methods_supported: ['client_secret_basic', 'client_secret_post'],
    scopes_supported: ['system/*.read', 'system/*.write', 'system/*.*', 'system/*.cruds', 'system/*.rs'],
    capabilities: ['client-confidential-symmetric'],
  };
}

/** The JSON Web Key Set document. */
export function jwksDocument(jwks: { keys: JWK[] }): { keys: JWK[] } {
  return { keys: jwks.keys.map((k) => ({ ...k })) };
}
