/**
 * The `--jwks-url` / `--jwks-file` options of `heron client create` and `heron app register`: a
 * client registered with public keys authenticates with signed assertions (`private_key_jwt`)
 * instead of a secret. The keys themselves are checked by the domain (`client-keys.ts`).
 */
import { readFile } from 'node:fs/promises';
import { UsageError } from './config.ts';

export interface ClientKeyOptions {
  /** The client's JWK Set URL. */
  jwksUrl?: string;
  /** A file holding the client's public JWK Set. */
  jwksFile?: string;
}

/** The keys to register, or undefined when neither option is given (the client gets a secret). */
export async function clientKeysFromOptions(o: ClientKeyOptions): Promise<{ jwks: string } | { jwksUrl: string } | undefined> {
  if (o.jwksUrl !== undefined && o.jwksFile !== undefined) throw new UsageError('Give --jwks-url or --jwks-file, not both');
  if (o.jwksUrl !== undefined) return { jwksUrl: o.jwksUrl };
  if (o.jwksFile === undefined) return undefined;
  try {
    return { jwks: await readFile(o.jwksFile, 'utf8') };
  } catch (error) {
    throw new UsageError(`Cannot read ${o.jwksFile}: ${(error as Error).message}`);
  }
}
