/**
 * The clinician's inbox (`/inbox`): results to review, patient messages, refill requests and tasks
 * in one list, for the user and the pools they belong to, updated live (use-inbox.ts). Each row
 * names the patient (name and MRN) and opens their chart in one click; a result is signed, a task
 * or message marked done, and it leaves the list; a task can be given to a person or a pool;
 * normal results are signed together in two clicks (UX-11).
 */
import type { Bundle, CareTeam, Communication, Practitioner, Task } from '@medplum/fhirtypes';
import { useQueryClient } from '@tanstack/react-query';
import { useMemo, useState } from 'react';
import { Link, useSearchParams } from 'react-router';
import { useUser } from '../../auth/auth-context.tsx';
import { DraftNotice } from '../../auth/draft-notice.tsx';
import { useDraft } from '../../auth/use-draft.ts';
import { Badge, Button, Dialog, EmptyState, ErrorState, LoadingSkeleton, Select, TextField } from '../../design/index.ts';
import { dateText } from '../../fhir-format/values.ts';
import { familyFirst } from '../../fhir-format/patient.ts';
import { errorAdvice, errorMessage } from '../../fhir/fhir-client.ts';
import { useFhir } from '../../fhir/fhir-context.tsx';
import { matches, useSearch } from '../../fhir/queries.ts';
import { acknowledged, assigned, INBOX_KINDS, isPool, replyTo, KIND_LABELS, normalResults, type InboxItem, type InboxKind } from '../../inbox/inbox-items.ts';
import { ConversationOf } from '../messages/thread-messages.tsx';
import { CorrectionDialog } from './correction-dialog.tsx';
import { useInbox, type InboxOwners } from './use-inbox.ts';
import './inbox.css';

type Show = InboxKind | 'all';

export function InboxScreen() {
  const inbox = useInbox();
  const [params] = useSearchParams();
  const shown = params.get('show');
  const show: Show = shown !== null && (INBOX_KINDS as readonly string[]).includes(shown) ? (shown as InboxKind) : 'all';
  const [signing, setSigning] = useState(false);
  const [assigning, setAssigning] = useState<InboxItem | undefined>();
  const [replying, setReplying] = useState<InboxItem | undefined>();
  const [answering, setAnswering] = useState<InboxItem | undefined>();
  const save = useInboxSave();

  const visible = show === 'all' ? inbox.items : inbox.items.filter((i) => i.kind === show);
  const normal = normalResults(inbox.items);
  const loading = inbox.tasks.isPending || inbox.messages.isPending || inbox.corrections.isPending || !inbox.owners.ready;
  const failed = inbox.tasks.error ?? inbox.messages.error ?? inbox.corrections.error;

  return (
    <div className="screen inbox">
      <div className="screen-header inbox-header">
        <h1>Inbox</h1>
        <p className="muted">{inbox.owners.pools.length > 0 ? `Yours and ${inbox.owners.pools.map((g) => g.name ?? 'a pool').join(', ')}` : 'Yours'} · updates as items arrive</p>
      </div>
      {inbox.owners.me === undefined ? (
        <EmptyState title="This account has no inbox.">Inboxes belong to practitioners; ask your practice administrator to link your account to yours.</EmptyState>
      ) : (
        <>
          <div className="inbox-toolbar">
            <nav aria-label="Show" className="inbox-filters">
              {(['all', ...INBOX_KINDS] as const).map((kind) => (
                <Link
                  key={kind}
                  to={kind === 'all' ? '/inbox' : `/inbox?show=${kind}`}
                  className="inbox-filter"
                  aria-current={show === kind ? 'page' : undefined}
                >
                  {kind === 'all' ? 'All' : KIND_LABELS[kind].many} <span className="inbox-filter-count">{kind === 'all' ? inbox.counts.total : inbox.counts[kind]}</span>
                </Link>
              ))}
            </nav>
            {(show === 'all' || show === 'result') && normal.length > 0 && (
              <Button variant="primary" onPress={() => setSigning(true)}>
                Sign {normal.length} normal {normal.length === 1 ? 'result' : 'results'}
              </Button>
            )}
          </div>
          {save.error !== undefined && <ErrorState title="Could not save" message={errorMessage(save.error)} advice={errorAdvice(save.error)} />}
          {failed ? (
            <ErrorState title="Could not load the inbox" message={errorMessage(failed)} advice={errorAdvice(failed)} onRetry={() => void (inbox.tasks.refetch(), inbox.messages.refetch(), inbox.corrections.refetch())} />
          ) : loading ? (
            <LoadingSkeleton lines={6} label="Loading the inbox" />
          ) : visible.length === 0 ? (
            <EmptyState title={show === 'all' ? 'Nothing waiting. Your inbox is clear.' : `No ${KIND_LABELS[show as InboxKind].many.toLowerCase()} waiting.`} />
          ) : (
            <ul className="inbox-list" aria-label={show === 'all' ? 'Inbox items' : KIND_LABELS[show as InboxKind].many}>
              {visible.map((item) => (
                <InboxRow key={item.key} item={item} owners={inbox.owners} busy={save.busy.has(item.key)} onDone={() => void save.acknowledge([item])} onAssign={() => setAssigning(item)} onReply={() => setReplying(item)} onAnswer={() => setAnswering(item)} />
              ))}
            </ul>
          )}
          <SignNormalDialog
            items={normal}
            isOpen={signing}
            onOpenChange={setSigning}
            onSign={async () => {
              if (await save.acknowledge(normal)) setSigning(false);
            }}
            busy={normal.some((i) => save.busy.has(i.key))}
          />
          {replying && inbox.owners.me && (
            <ReplyDialog item={replying} onClose={() => setReplying(undefined)} onSend={(text) => save.reply(replying, text, inbox.owners.me!)} />
          )}
          {answering && inbox.owners.me && <CorrectionDialog item={answering} me={inbox.owners.me} onClose={() => setAnswering(undefined)} />}
          {assigning && <AssignDialog item={assigning} owners={inbox.owners} onClose={() => setAssigning(undefined)} onAssign={(owner) => save.assign(assigning, owner)} />}
        </>
      )}
    </div>
  );
}

function ownerLabel(owner: string | undefined, owners: InboxOwners): string {
  if (owner === undefined) return 'Unassigned';
  if (owner === owners.me) return 'You';
  const pool = owners.pools.find((g) => `CareTeam/${g.id}` === owner);
  return pool?.name ?? owner;
}

function InboxRow({ item, owners, busy, onDone, onAssign, onReply, onAnswer }: { item: InboxItem; owners: InboxOwners; busy: boolean; onDone: () => void; onAssign: () => void; onReply: () => void; onAnswer: () => void }) {
  const chart = item.patientId === undefined ? undefined : item.kind === 'result' ? `/patients/${item.patientId}/results` : `/patients/${item.patientId}`;
  return (
    <li className="inbox-row" data-kind={item.kind}>
      <div className="inbox-row-kind">
        <Badge tone={item.kind === 'result' ? 'info' : item.kind === 'message' ? 'success' : item.kind === 'correction' ? 'warning' : 'neutral'}>{KIND_LABELS[item.kind].one}</Badge>
        {item.urgent && <Badge tone="danger">Urgent</Badge>}
        {item.kind === 'result' && item.normal && <Badge tone="success">Normal</Badge>}
      </div>
      <div className="inbox-row-main">
        <p className="inbox-row-patient">
          {chart ? <Link to={chart}>{item.patientName}</Link> : item.patientName}
          {item.patientMrn && <span className="muted"> · MRN {item.patientMrn}</span>}
        </p>
        <p className="inbox-row-title">
          {item.title}
          {item.detail && <span className="inbox-row-detail"> — {item.detail}</span>}
        </p>
        <p className="inbox-row-meta muted">
          {item.date ? dateText(item.date, true) : ''}
          {item.due ? ` · due ${dateText(item.due)}` : ''} · {ownerLabel(item.owner, owners)}
        </p>
      </div>
      <div className="inbox-row-actions">
        {item.kind === 'message' && (
          <Button size="sm" variant="primary" isDisabled={busy} onPress={onReply} aria-label={`Reply: ${item.title}, ${item.patientName}`}>
            Reply…
          </Button>
        )}
        {item.kind === 'correction' ? (
          // A correction request is answered (accepted or denied, with what changed or why), never just marked done.
          <Button size="sm" variant="primary" isDisabled={busy} onPress={onAnswer} aria-label={`Answer: ${item.title}, ${item.patientName}`}>
            Answer…
          </Button>
        ) : (
          <Button size="sm" variant={item.kind === 'message' ? 'secondary' : 'primary'} isDisabled={busy} onPress={onDone} aria-label={`${item.kind === 'result' ? 'Sign' : 'Done'}: ${item.title}, ${item.patientName}`}>
            {item.kind === 'result' ? 'Sign' : 'Done'}
          </Button>
        )}
        {item.resource.resourceType === 'Task' && (
          <Button size="sm" isDisabled={busy} onPress={onAssign} aria-label={`Assign: ${item.title}, ${item.patientName}`}>
            Assign…
          </Button>
        )}
      </div>
    </li>
  );
}

function SignNormalDialog({ items, isOpen, onOpenChange, onSign, busy }: { items: InboxItem[]; isOpen: boolean; onOpenChange: (open: boolean) => void; onSign: () => void; busy: boolean }) {
  return (
    <Dialog
      title={`Sign ${items.length} normal ${items.length === 1 ? 'result' : 'results'}`}
      isOpen={isOpen}
      onOpenChange={onOpenChange}
      actions={
        <>
          <Button onPress={() => onOpenChange(false)}>Cancel</Button>
          <Button variant="primary" isDisabled={busy || items.length === 0} onPress={onSign}>
            Sign {items.length} {items.length === 1 ? 'result' : 'results'}
          </Button>
        </>
      }
    >
      <p>Every result below is flagged normal by the lab. Signing marks each as reviewed by you.</p>
      <ul className="inbox-sign-list">
        {items.map((i) => (
          <li key={i.key}>
            <strong>{i.patientName}</strong>
            {i.patientMrn && ` (MRN ${i.patientMrn})`}: {i.title} {i.detail}
          </li>
        ))}
      </ul>
    </Dialog>
  );
}

function AssignDialog({ item, owners, onClose, onAssign }: { item: InboxItem; owners: InboxOwners; onClose: () => void; onAssign: (owner: { reference: string; display: string }) => Promise<boolean> }) {
  const practitioners = useSearch<Practitioner>('Practitioner', { _count: 100, _sort: 'family' });
  const groups = useSearch<CareTeam>('CareTeam', { status: 'active', 'subject:missing': 'true', _count: 50 });
  const options = useMemo(() => {
    const list: { id: string; label: string }[] = [];
    for (const g of matches(groups.data).filter(isPool)) list.push({ id: `CareTeam/${g.id}`, label: `${g.name ?? 'Pool'} (pool)` });
    for (const p of matches(practitioners.data)) list.push({ id: `Practitioner/${p.id}`, label: `Practitioner/${p.id}` === owners.me ? `${familyFirst(p.name)} (you)` : familyFirst(p.name) });
    return list;
  }, [groups.data, practitioners.data, owners.me]);
  const [choice, setChoice] = useState<string | undefined>();
  const [saving, setSaving] = useState(false);
  return (
    <Dialog
      title={`Assign: ${item.title}`}
      isOpen
      onOpenChange={(open) => !open && onClose()}
      actions={
        <>
          <Button onPress={onClose}>Cancel</Button>
          <Button
            variant="primary"
            isDisabled={choice === undefined || saving}
            onPress={async () => {
              setSaving(true);
              const label = options.find((o) => o.id === choice)?.label ?? '';
              const ok = await onAssign({ reference: choice!, display: label.replace(/ \((pool|you)\)$/, '') });
              setSaving(false);
              if (ok) onClose();
            }}
          >
            Assign
          </Button>
        </>
      }
    >
      <p className="inbox-dialog-patient">
        Patient: <strong>{item.patientName}</strong>
        {item.patientMrn && <> · MRN {item.patientMrn}</>}
      </p>
      {groups.isPending || practitioners.isPending ? (
        <LoadingSkeleton lines={2} label="Loading people and pools" />
      ) : (
        <Select label="Assign to" options={options} selectedKey={choice ?? null} onSelectionChange={setChoice} placeholder="Choose a person or a pool" />
      )}
    </Dialog>
  );
}

/** The answer to a patient's message; what is typed is kept as a draft until it is sent. */
function ReplyDialog({ item, onClose, onSend }: { item: InboxItem; onClose: () => void; onSend: (text: string) => Promise<boolean> }) {
  const user = useUser();
  const draft = useDraft(`inbox-reply-${item.resource.id}`, item.patientId, '');
  const [sending, setSending] = useState(false);
  const message = item.resource as Communication;
  return (
    <Dialog
      title={`Reply: ${item.title}`}
      isOpen
      onOpenChange={(open) => !open && onClose()}
      actions={
        <>
          <Button onPress={onClose}>Close</Button>
          <Button
            variant="primary"
            isDisabled={draft.value.trim() === '' || sending}
            onPress={async () => {
              setSending(true);
              const ok = await onSend(draft.value);
              setSending(false);
              if (ok) {
                draft.clear();
                onClose();
              }
            }}
          >
            Send and mark done
          </Button>
        </>
      }
    >
      <p className="inbox-dialog-patient">
        Patient: <strong>{item.patientName}</strong>
        {item.patientMrn && <> · MRN {item.patientMrn}</>}
      </p>
      <ConversationOf message={message} {...(user.fhirUser ? { me: user.fhirUser } : {})} />
      <DraftNotice draft={draft} />
      <TextField label="Your answer" multiline value={draft.value} onChange={draft.setValue} autoFocus />
    </Dialog>
  );
}

/** Saves acknowledgements (one transaction for many: all or none) and assignments, with If-Match. */
function useInboxSave() {
  const fhir = useFhir();
  const queryClient = useQueryClient();
  const [busy, setBusy] = useState<Set<string>>(new Set());
  const [error, setError] = useState<unknown>();
  const refresh = () => Promise.all([queryClient.invalidateQueries({ queryKey: ['fhir', 'Task'] }), queryClient.invalidateQueries({ queryKey: ['fhir', 'Communication'] })]);
  const run = async (items: readonly InboxItem[], work: () => Promise<unknown>): Promise<boolean> => {
    setBusy((b) => new Set([...b, ...items.map((i) => i.key)]));
    setError(undefined);
    try {
      await work();
      await refresh();
      return true;
    } catch (err) {
      setError(err);
      await refresh();
      return false;
    } finally {
      setBusy((b) => new Set([...b].filter((k) => !items.some((i) => i.key === k))));
    }
  };
  return {
    busy,
    error,
    acknowledge: (items: readonly InboxItem[]) =>
      run(items, () => {
        const at = new Date().toISOString();
        const bundle: Bundle = {
          resourceType: 'Bundle',
          type: 'transaction',
          entry: items.map((item) => {
            const resource = acknowledged(item, at);
            return {
              resource,
              request: { method: 'PUT' as const, url: `${resource.resourceType}/${resource.id}`, ...(resource.meta?.versionId ? { ifMatch: `W/"${resource.meta.versionId}"` } : {}) },
            };
          }),
        };
        return fhir.transaction(bundle);
      }),
    reply: (item: InboxItem, text: string, me: string) =>
      run([item], () => {
        const at = new Date().toISOString();
        const message = item.resource as Communication;
        const done = acknowledged(item, at);
        const bundle: Bundle = {
          resourceType: 'Bundle',
          type: 'transaction',
          entry: [
            { resource: replyTo(message, text, me, at), request: { method: 'POST' as const, url: 'Communication' } },
            { resource: done, request: { method: 'PUT' as const, url: `Communication/${message.id}`, ...(message.meta?.versionId ? { ifMatch: `W/"${message.meta.versionId}"` } : {}) } },
          ],
        };
        return fhir.transaction(bundle);
      }),
    assign: (item: InboxItem, owner: { reference: string; display: string }) =>
      run([item], () => {
        const task = assigned(item.resource as Task, owner, new Date().toISOString());
        return fhir.update({ ...task, id: task.id! }, task.meta?.versionId ? { ifMatch: task.meta.versionId } : {});
      }),
  };
}
