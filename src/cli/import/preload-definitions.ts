/**
 * Loads the R4 definitions an import needs (StructureDefinitions, SearchParameters, value sets)
 * up front. They are otherwise read lazily by the first resource validated, indexed or walked
 * for references, which would charge a one-time ~0.4 s start-up cost to the first bundle and to
 * the import's resources/s; the importer times this load and reports it on its own line instead.
 */
import { ensureDefinitions } from '../../fhir/definitions.ts';
import { searchParametersFor } from '../../fhir/search/parameters.ts';
import { valueSetCodes } from '../../fhir/value-sets.ts';

export function preloadDefinitions(): void {
  ensureDefinitions();
  // Each registry is read and indexed whole on its first lookup; any lookup will do.
  searchParametersFor('Patient');
  valueSetCodes('http://hl7.org/fhir/ValueSet/administrative-gender');
}
