/** The CapabilityStatement's entries for labels and the practice administrator's privacy operations (docs/access.md, docs/audit.md). */
import type { CapabilityStatementRestResource } from '@medplum/fhirtypes';

type OperationCapability = NonNullable<CapabilityStatementRestResource['operation']>[number];

const ADMIN_ONLY = 'For the practice administrator only (role practice-admin, through an app allowed heron/admin); 403 for everyone else.';

/** On every resource type. */
export const META_OPERATIONS: readonly OperationCapability[] = [
  {
    name: 'meta-add',
    definition: 'http://hl7.org/fhir/OperationDefinition/Resource-meta-add',
    documentation:
      'POST [type]/[id]/$meta-add with Parameters meta (valueMeta): adds its profiles, tags and security labels (a v3-Confidentiality label replaces the one there) as a new version; answers Parameters return (valueMeta). ' +
      'Needs update on the resource; a practice administrator may instead change v3-Confidentiality labels alone on a Patient or a resource of a patient\'s record (restricted ones too), and is answered the meta only. Not on a version ([type]/[id]/_history/[vid]).',
  },
  {
    name: 'meta-delete',
    definition: 'http://hl7.org/fhir/OperationDefinition/Resource-meta-delete',
    documentation: 'POST [type]/[id]/$meta-delete with Parameters meta: removes those profiles, tags and security labels, as $meta-add adds them (same rules).',
  },
];

export const EMERGENCY_ACCESS_OPERATIONS: readonly OperationCapability[] = [
  {
    name: 'emergency-access',
    definition: 'https://heron.dev/fhir/OperationDefinition/AuditEvent-emergency-access',
    documentation:
      'GET AuditEvent/$emergency-access?reviewed=true|false&_count=n: the break-the-glass entries to review, newest first, unreviewed ones first when reviewed is left out; each reviewed one followed by its review (search.mode include). ' +
      'Bundle.total counts what the filter matches (reviewed=false&_count=0: the unreviewed count). Agents and patients carry names (display). ' + ADMIN_ONLY,
  },
  {
    name: 'review',
    definition: 'https://heron.dev/fhir/OperationDefinition/AuditEvent-review',
    documentation:
      'POST AuditEvent/[id]/$review on a break-the-glass entry, Parameters verdict (appropriate | inappropriate) and note (required, at most 2000 characters): appends a review entry (subtype break-glass-review, entity the access, detail {verdict, note}) and answers it, 201. ' +
      'The access\'s own entry never changes. One review per access: a second answers 409. ' + ADMIN_ONLY,
  },
];

export const RESTRICTED_RECORDS_OPERATION: OperationCapability = {
  name: 'restricted-records',
  definition: 'https://heron.dev/fhir/OperationDefinition/Patient-restricted-records',
  documentation:
    'GET Patient/$restricted-records: Parameters with a chart per patient whose chart or resources are restricted (patient with name, label, restrictedResources count, generalPractitioner and careTeamMember names: the care relationships that open it) ' +
    'and a resource per restricted resource (reference, date, label, patient): names and labels, no clinical content. ' + ADMIN_ONLY,
};
