import type { ActivityDefinition, Patient, ServiceRequest } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Checkbox, CheckboxGroup, Label } from 'react-aria-components';
import { useParams } from 'react-router';
import { useUser } from '../../auth/auth-context.tsx';
import { useDraft } from '../../auth/use-draft.ts';
import { checkSameChart } from '../../clinical-lists/entry-context.ts';
import { Select, TextField } from '../../design/index.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { EMPTY_LAB_ORDER, labOrderBundle, labTests, newRequisitionNumber, REQUISITION_SYSTEM, type LabOrderForm } from '../../orders/lab-order.ts';
import { matches } from '../../fhir/queries.ts';
import { OrderDialog } from './order-dialog.tsx';

const PRIORITIES = [
  { id: 'routine', label: 'Routine' },
  { id: 'urgent', label: 'Urgent' },
  { id: 'stat', label: 'STAT' },
];

/**
 * Ordering labs: tests ticked from the practice's catalogue, one priority and note for all; saved
 * in one transaction under one requisition number, signed (active) or as a draft to sign later.
 */
export function LabOrderDialog({ patient, catalogue, onClose, onOrdered }: { patient: Patient; catalogue: readonly ActivityDefinition[]; onClose: () => void; onOrdered: (requisition: string, orders: ServiceRequest[]) => void }) {
  const fhir = useFhir();
  const user = useUser();
  const queryClient = useQueryClient();
  const { patientId: onScreen } = useParams();
  const openedFor = patient.id!;
  const draft = useDraft<LabOrderForm>('lab-order.new', openedFor, EMPTY_LAB_ORDER);
  const form = draft.value;
  const set = (patch: Partial<LabOrderForm>) => draft.setValue({ ...form, ...patch });
  const [error, setError] = useState<string | undefined>();
  const tests = labTests(catalogue);

  const save = useMutation({
    mutationFn: async (status: LabOrderForm['status']) => {
      checkSameChart(openedFor, onScreen);
      const now = new Date();
      const requisition = newRequisitionNumber(now);
      await fhir.transaction(labOrderBundle(catalogue, { ...form, status }, requisition, { patientId: openedFor, ...(user.fhirUser ? { fhirUser: user.fhirUser } : {}), now }));
      // The orders as stored (ids, versions), for the requisition.
      const placed = await fhir.search<ServiceRequest>('ServiceRequest', { patient: openedFor, requisition: `${REQUISITION_SYSTEM}|${requisition}`, _count: 50 });
      return { requisition, orders: matches(placed) };
    },
    onSuccess: async ({ requisition, orders }) => {
      draft.clear();
      await queryClient.invalidateQueries({ queryKey: ['fhir', 'ServiceRequest'] });
      onOrdered(requisition, orders);
      onClose();
    },
  });

  const submit = (status: LabOrderForm['status']) => {
    if (form.tests.length === 0) return setError('Tick at least one test.');
    setError(undefined);
    save.mutate(status);
  };

  return (
    <OrderDialog title="Order labs" patient={patient} draft={draft} pending={save.isPending} error={save.error} signLabel={`Sign and order${form.tests.length > 1 ? ` ${form.tests.length} tests` : ''}`} onSubmit={submit} onClose={onClose}>
      <div className="entry-form">
        <CheckboxGroup className="order-tests" value={form.tests} onChange={(ids) => set({ tests: ids })} isInvalid={error !== undefined}>
          <Label className="h-field-label">Tests</Label>
          <div className="order-tests-list">
            {tests.map((t) => (
              <Checkbox key={t.id} value={t.id!} className="h-checkbox order-test">
                {({ isSelected }) => (
                  <>
                    <span className="h-checkbox-box" aria-hidden="true">
                      {isSelected ? '✓' : ''}
                    </span>
                    <span>
                      {t.title}
                      <span className="list-item-code"> LOINC {t.code?.coding?.[0]?.code}</span>
                    </span>
                  </>
                )}
              </Checkbox>
            ))}
          </div>
          {error && (
            <p className="h-field-error" role="alert">
              {error}
            </p>
          )}
        </CheckboxGroup>
        <div className="entry-form-row">
          <Select label="Priority" options={PRIORITIES} selectedKey={form.priority} onSelectionChange={(k) => set({ priority: k as LabOrderForm['priority'] })} />
          <TextField label="Note for the lab" value={form.note} onChange={(note) => set({ note })} placeholder="e.g. fasting since 8 pm" />
        </div>
      </div>
    </OrderDialog>
  );
}
