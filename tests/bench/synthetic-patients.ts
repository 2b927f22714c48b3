/**
 * Patients for benchmarks at size: deterministic names (60 families × 40 given names, spread by
 * two coprime strides), birth dates over 90 years, an MRN and a phone each, written straight
 * through the store in transactions of 500 (no HTTP, no audit: loading is not what is measured).
 */
import type { Patient, Resource } from '@medplum/fhirtypes';
import type { FhirStore } from '../../src/store/store.ts';

export const FAMILIES = ['Smith', 'Johnson', 'Williams', 'Brown', 'Jones', 'Garcia', 'Miller', 'Davis', 'Rodriguez', 'Martinez', 'Hernandez', 'Lopez', 'Gonzalez', 'Wilson', 'Anderson', 'Thomas', 'Taylor', 'Moore', 'Jackson', 'Martin', 'Lee', 'Perez', 'Thompson', 'White', 'Harris', 'Sanchez', 'Clark', 'Ramirez', 'Lewis', 'Robinson', 'Walker', 'Young', 'Allen', 'King', 'Wright', 'Scott', 'Torres', 'Nguyen', 'Hill', 'Flores', 'Green', 'Adams', 'Nelson', 'Baker', 'Hall', 'Rivera', 'Campbell', 'Mitchell', 'Carter', 'Roberts', 'Lindqvist', 'Okafor', 'Kowalski', 'Schmidt', 'Rossi', 'Dubois', 'Tanaka', 'Kim', 'Patel', 'Cohen'];
export const GIVENS = ['James', 'Mary', 'Robert', 'Patricia', 'John', 'Jennifer', 'Michael', 'Linda', 'David', 'Elizabeth', 'William', 'Barbara', 'Richard', 'Susan', 'Joseph', 'Jessica', 'Thomas', 'Sarah', 'Charles', 'Karen', 'Christopher', 'Lisa', 'Daniel', 'Nancy', 'Matthew', 'Betty', 'Anthony', 'Margaret', 'Mark', 'Sandra', 'Maja', 'Anna', 'Wei', 'Aisha', 'Omar', 'Sofia', 'Lucas', 'Emma', 'Noah', 'Olivia'];

/** Patient number `i`: `bench-p<i>`, MRN `M<i as 6 digits>`. */
export function synthetic(i: number): Patient & { id: string } {
  const day = new Date(Date.UTC(1930, 0, 1) + ((i * 7919) % (90 * 365)) * 86_400_000).toISOString().slice(0, 10);
  return {
    resourceType: 'Patient',
    id: `bench-p${i}`,
    identifier: [{ type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'MR' }] }, system: 'urn:bench:mrn', value: `M${String(i).padStart(6, '0')}` }],
    name: [{ family: FAMILIES[(i * 13) % FAMILIES.length], given: [GIVENS[(i * 7) % GIVENS.length]!] }],
    gender: i % 2 === 0 ? 'female' : 'male',
    birthDate: day,
    telecom: [{ system: 'phone', value: `555-${String(1_000_000 + i).slice(1, 4)}-${String(i % 10_000).padStart(4, '0')}` }],
  };
}

export function* syntheticPatients(count: number): Generator<Patient & { id: string }> {
  for (let i = 0; i < count; i++) yield synthetic(i);
}

/** Writes resources (each with an id) as PUTs, 500 per transaction. @returns how many. */
export async function writeAll(store: FhirStore, tenant: string, resources: Iterable<Resource>): Promise<number> {
  let batch: Resource[] = [];
  let n = 0;
  const flush = async () => {
    const rows = batch;
    batch = [];
    await store.transaction(tenant, async (tx) => {
      for (const r of rows) await tx.writeVersion({ resourceType: r.resourceType, id: r.id as string, method: 'PUT', resource: r });
    });
  };
  for (const r of resources) {
    batch.push(r);
    n++;
    if (batch.length === 500) await flush();
  }
  if (batch.length > 0) await flush();
  return n;
}
