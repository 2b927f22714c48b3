/**
 * Names for the practice administrator's privacy screens: who a user is (their Practitioner's
 * name, else their e-mail address), a patient's or practitioner's name. Read straight from the
 * store, without the restricted-record rules, because the review must name the patient of a
 * restricted chart; the operations that call this check the caller first and answer names only.
 * Each name is read once per request.
 */
import type { HumanName, Patient, Practitioner } from '@medplum/fhirtypes';
import type { Ctx } from '../context.ts';

/** "Given Family" from the official (else first) name; undefined when there is none. */
export function formatName(names: readonly HumanName[] | undefined): string | undefined {
  const name = names?.find((n) => n.use === 'official') ?? names?.[0];
  if (name === undefined) return undefined;
  const text = name.text ?? [...(name.prefix ?? []), ...(name.given ?? []), name.family].filter(Boolean).join(' ');
  return text === '' ? undefined : text;
}

export interface NameBook {
  /** A user's name, by account id. */
  user(id: string): Promise<string | undefined>;
  /** The name of `Patient/…` or `Practitioner/…`. */
  of(reference: string): Promise<string | undefined>;
}

export function nameBook(ctx: Ctx): NameBook {
  const known = new Map<string, Promise<string | undefined>>();
  const remember = (key: string, read: () => Promise<string | undefined>) => {
    let name = known.get(key);
    if (name === undefined) {
      name = read();
      known.set(key, name);
    }
    return name;
  };
  const of = (reference: string) =>
    remember(reference, async () => {
      const [type, id] = reference.split('/');
      if ((type !== 'Patient' && type !== 'Practitioner') || id === undefined) return undefined;
      const stored = await ctx.store.reader(ctx.tenant).readCurrent(type, id);
      return stored?.resource === undefined ? undefined : formatName((stored.resource as Patient | Practitioner).name);
    });
  return {
    of,
    user: (id) =>
      remember(`user:${id}`, async () => {
        const account = await ctx.store.admin.users.get(id);
        if (account === undefined || account.tenant !== ctx.tenant) return undefined;
        return (account.fhirUser === undefined ? undefined : await of(account.fhirUser)) ?? account.email;
      }),
  };
}
