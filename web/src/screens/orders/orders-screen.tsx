import type { ActivityDefinition, DiagnosticReport, MedicationRequest, Resource, ServiceRequest } from '@medplum/fhirtypes';
import { useMutation, useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { useParams } from 'react-router';
import { Badge, Button, ButtonLink, DataTable, EmptyState, ErrorState, Panel, type BadgeTone, type DataColumn } from '../../design/index.ts';
import { conceptText, dateText } from '../../fhir-format/values.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { matches, useSearch } from '../../fhir/queries.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { cancelledStatus, ORDER_STATUS_TEXT, orderActions, resultsByOrder } from '../../orders/lab-order.ts';
import { requisitionOrders, type OrderPrint } from '../../orders/order-print.ts';
import { prescriptionText } from '../../orders/sig.ts';
import { systemName } from '../../terminology/value-sets.ts';
import { ListPage } from '../lists/list-page.tsx';
import { LabOrderDialog } from './lab-order-dialog.tsx';
import { MedicationOrderDialog } from './medication-order-dialog.tsx';
import { OrderPdfDialog } from './order-pdf-dialog.tsx';
import './orders.css';

type Open = { kind: 'labs' } | { kind: 'medication' } | { kind: 'print'; print: OrderPrint } | undefined;

const STATUS_TONE: Record<string, BadgeTone> = { draft: 'warning', active: 'info', completed: 'success', revoked: 'neutral', cancelled: 'neutral', stopped: 'neutral' };

function StatusBadge({ status }: { status: string }) {
  return <Badge tone={STATUS_TONE[status] ?? 'neutral'}>{ORDER_STATUS_TEXT[status] ?? status}</Badge>;
}

function codeLine(concept: { coding?: { system?: string; code?: string }[] } | undefined) {
  const c = concept?.coding?.[0];
  return c ? (
    <span className="list-item-code">
      {systemName(c.system)} {c.code}
    </span>
  ) : null;
}

/**
 * `/patients/:patientId/orders`: the chart's lab and medication orders with their status, each lab
 * order's result once a DiagnosticReport is `basedOn` it, and the printable requisition and
 * prescription. Ordering labs and medications starts here.
 */
export function OrdersScreen() {
  const { patientId } = useParams();
  const [open, setOpen] = useState<Open>();
  const [notice, setNotice] = useState<{ text: string; print?: OrderPrint } | undefined>();
  const enabled = patientId !== undefined;
  const labs = useSearch<ServiceRequest>('ServiceRequest', { patient: patientId, _sort: '-authored', _count: 100, _revinclude: 'DiagnosticReport:based-on' }, { enabled });
  const medications = useSearch<MedicationRequest>('MedicationRequest', { patient: patientId, intent: 'order', _sort: '-authoredon', _count: 50 }, { enabled });
  const catalogue = useSearch<ActivityDefinition>('ActivityDefinition', { status: 'active', _count: 200 });
  if (!patientId) return null;
  const catalogueList = catalogue.data ? matches(catalogue.data) : [];

  return (
    <ListPage patientId={patientId} title="Orders" actions={
        <>
          <span className="list-actions">
            <Button variant="primary" onPress={() => setOpen({ kind: 'labs' })} isDisabled={!catalogue.data}>
              Order labs
            </Button>
            <Button variant="primary" onPress={() => setOpen({ kind: 'medication' })} isDisabled={!catalogue.data}>
              Order medication
            </Button>
          </span>
        </>
      }>
      {(patient) => (
        <>
          {catalogue.isError && <ErrorState title="Could not load the order catalogue" message={errorMessage(catalogue.error)} advice={errorAdvice(catalogue.error)} onRetry={() => void catalogue.refetch()} />}
          {notice && (
            <div className="order-notice" role="status">
              <span>{notice.text}</span>
              {notice.print && (
                <Button size="sm" onPress={() => setOpen({ kind: 'print', print: notice.print! })}>
                  {notice.print.kind === 'requisition' ? 'Open the requisition (PDF)' : 'Open the prescription (PDF)'}
                </Button>
              )}
            </div>
          )}
          <Panel title="Lab orders" level={3} flush>
            <QueryView query={labs} what="lab orders" skeletonLines={4}>
              {(bundle) => <LabOrders patientId={patientId} orders={matches(bundle)} reports={(bundle.entry ?? []).map((e) => e.resource as Resource | undefined).filter((r): r is DiagnosticReport => r?.resourceType === 'DiagnosticReport')} onPrint={(print) => setOpen({ kind: 'print', print })} />}
            </QueryView>
          </Panel>
          <Panel title="Medication orders" level={3} flush>
            <QueryView query={medications} what="medication orders" skeletonLines={4}>
              {(bundle) => <MedicationOrders orders={matches(bundle)} onPrint={(print) => setOpen({ kind: 'print', print })} />}
            </QueryView>
          </Panel>
          {open?.kind === 'labs' && (
            <LabOrderDialog
              patient={patient}
              catalogue={catalogueList}
              onClose={() => setOpen(undefined)}
              onOrdered={(requisition, orders) =>
                setNotice({ text: `Ordered ${orders.length} ${orders.length === 1 ? 'test' : 'tests'}${orders[0]?.status === 'draft' ? ' as a draft (not signed)' : ''}, requisition ${requisition}.`, print: { kind: 'requisition', orders } })
              }
            />
          )}
          {open?.kind === 'medication' && (
            <MedicationOrderDialog
              patient={patient}
              catalogue={catalogueList}
              onClose={() => setOpen(undefined)}
              onOrdered={(order) => setNotice({ text: `Ordered ${conceptText(order.medicationCodeableConcept)}${order.status === 'draft' ? ' as a draft (not signed)' : ''}.`, print: { kind: 'prescription', order } })}
            />
          )}
          {open?.kind === 'print' && <OrderPdfDialog patient={patient} print={open.print} onClose={() => setOpen(undefined)} />}
        </>
      )}
    </ListPage>
  );
}

function useStatusChange<T extends ServiceRequest | MedicationRequest>() {
  const fhir = useFhir();
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: ({ order, status }: { order: T; status: T['status'] }) => fhir.update({ ...order, status } as T & { id: string }, order.meta?.versionId ? { ifMatch: order.meta.versionId } : {}),
    onSuccess: (_saved, { order }) => void queryClient.invalidateQueries({ queryKey: ['fhir', order.resourceType] }),
  });
}

function OrderActions<T extends ServiceRequest | MedicationRequest>({ order, name, onPrint }: { order: T; name: string; onPrint: () => void }) {
  const change = useStatusChange<T>();
  const actions = orderActions(order.status);
  const set = (status: T['status']) => change.mutate({ order, status });
  return (
    <span className="list-actions order-actions">
      <Button size="sm" variant="quiet" onPress={onPrint} aria-label={`${order.resourceType === 'ServiceRequest' ? 'Requisition' : 'Prescription'} PDF for ${name}`}>
        PDF
      </Button>
      {actions.includes('sign') && (
        <Button size="sm" variant="quiet" onPress={() => set('active' as T['status'])} aria-label={`Sign ${name}`}>
          Sign
        </Button>
      )}
      {actions.includes('complete') && (
        <Button size="sm" variant="quiet" onPress={() => set('completed' as T['status'])} aria-label={`Mark ${name} completed`}>
          Complete
        </Button>
      )}
      {actions.includes('cancel') && (
        <Button size="sm" variant="quiet" onPress={() => set(cancelledStatus(order.resourceType) as T['status'])} aria-label={`Cancel ${name}`}>
          Cancel
        </Button>
      )}
      {change.isError && (
        <span className="h-field-error" role="alert">
          {errorMessage(change.error)}
        </span>
      )}
    </span>
  );
}

function LabOrders({ patientId, orders, reports, onPrint }: { patientId: string; orders: ServiceRequest[]; reports: DiagnosticReport[]; onPrint: (print: OrderPrint) => void }) {
  const results = resultsByOrder(reports);
  const columns: DataColumn<ServiceRequest>[] = [
    {
      id: 'test',
      header: 'Test',
      isRowHeader: true,
      cell: (o) => (
        <span className="list-item-name">
          {conceptText(o.code)}
          {codeLine(o.code)}
        </span>
      ),
    },
    { id: 'ordered', header: 'Ordered', cell: (o) => [dateText(o.authoredOn), o.requisition?.value].filter(Boolean).join(' · ') || '—' },
    { id: 'status', header: 'Status', cell: (o) => <StatusBadge status={o.status} /> },
    {
      id: 'result',
      header: 'Result',
      cell: (o) => {
        const report = results.get(o.id!)?.[0];
        if (!report) return <span className="muted">{o.status === 'active' ? 'Awaiting result' : '—'}</span>;
        const code = o.code?.coding?.[0]?.code;
        return (
          <span className="list-item-name">
            <span>
              {report.status === 'final' ? 'Final' : report.status === 'preliminary' ? 'Preliminary' : report.status} · {dateText(report.effectiveDateTime ?? report.issued)}
            </span>
            {report.conclusion && <span className="list-item-detail">{report.conclusion}</span>}
            <span>
              <ButtonLink size="sm" variant="quiet" href={`/patients/${encodeURIComponent(patientId)}/results${code ? `?test=${encodeURIComponent(code)}` : ''}`}>
                View result
              </ButtonLink>
            </span>
          </span>
        );
      },
    },
    { id: 'actions', header: 'Actions', cell: (o) => <OrderActions order={o} name={conceptText(o.code)} onPrint={() => onPrint({ kind: 'requisition', orders: requisitionOrders(orders, o) })} /> },
  ];
  return <DataTable label="Lab orders, newest first" columns={columns} rows={orders} rowKey={(o) => o.id!} empty={<EmptyState title="No lab orders yet." />} />;
}

function MedicationOrders({ orders, onPrint }: { orders: MedicationRequest[]; onPrint: (print: OrderPrint) => void }) {
  const columns: DataColumn<MedicationRequest>[] = [
    {
      id: 'medication',
      header: 'Medication',
      isRowHeader: true,
      cell: (o) => (
        <span className="list-item-name">
          {conceptText(o.medicationCodeableConcept)}
          {codeLine(o.medicationCodeableConcept)}
        </span>
      ),
    },
    { id: 'sig', header: 'Directions', cell: (o) => prescriptionText(o) || '—' },
    { id: 'ordered', header: 'Ordered', cell: (o) => dateText(o.authoredOn) || '—' },
    { id: 'status', header: 'Status', cell: (o) => <StatusBadge status={o.status} /> },
    { id: 'actions', header: 'Actions', cell: (o) => <OrderActions order={o} name={conceptText(o.medicationCodeableConcept)} onPrint={() => onPrint({ kind: 'prescription', order: o })} /> },
  ];
  return <DataTable label="Medication orders, newest first" columns={columns} rows={orders} rowKey={(o) => o.id!} empty={<EmptyState title="No medication orders yet." />} />;
}

