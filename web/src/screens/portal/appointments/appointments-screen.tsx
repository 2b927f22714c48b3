import type { ActivityDefinition, Appointment, Bundle } from '@medplum/fhirtypes';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { addDays, format } from 'date-fns';
import { useMemo, useState } from 'react';
import { Label, Radio, RadioGroup } from 'react-aria-components';
import { Badge, Button, Dialog, EmptyState, ErrorState, LoadingSkeleton, Panel, Select, TextField } from '../../../design/index.ts';
import { errorAdvice, errorMessage } from '../../../fhir/fhir-client.ts';
import { useFhir } from '../../../fhir/fhir-context.tsx';
import { useCreate, useUpdate } from '../../../fhir/mutations.ts';
import { matches, useSearch } from '../../../fhir/queries.ts';
import { appointmentIcs } from '../../../portal/appointment-ics.ts';
import {
  allowedChanges, calendarEvent, cancelledAppointment, clinicianOf, movedAppointment, offersSelfService, requestedAppointment, splitAppointments, statusWords, type ChosenTime,
} from '../../../portal/portal-appointments.ts';
import type { PracticeSettings } from '../../../practice/practice-settings.ts';
import { usePracticeSettings } from '../../../practice/use-practice-settings.ts';
import { VISIT_TYPE_SEARCH, visitTypes, visitTypeText, type VisitType } from '../../../schedule/visit-types.ts';
import { usePortalPatientId } from '../portal-patient.ts';
import { saveFile } from '../share/record-files.ts';
import '../portal-share.css';
import './appointments.css';

type SelfScheduling = PracticeSettings['selfScheduling'];

/**
 * `/portal/appointments`: the patient's upcoming and past appointments; requesting, moving and
 * cancelling as the practice's self-scheduling setting allows (else how to book by phone); each
 * appointment as an .ics file for their calendar. docs/portal.md.
 */
export function AppointmentsScreen() {
  const patientId = usePortalPatientId();
  const { settings, letterhead, query: practice } = usePracticeSettings();
  if (!patientId) return <div className="screen"><ErrorState title="No record to show" message="This account is not linked to a patient’s record." advice="Ask your practice to link your portal account to your record." /></div>;
  const s = settings.selfScheduling;
  return (
    <div className="screen portal-screen">
      <div className="screen-header">
        <h1>Appointments</h1>
      </div>
      {practice.isPending ? (
        <LoadingSkeleton label="Loading the practice’s booking options" lines={2} />
      ) : s.book ? (
        <RequestPanel patientId={patientId} s={s} />
      ) : (
        <Panel title="Making an appointment">
          <p data-testid="phone-to-book">
            To make an appointment{offersSelfService(s) ? '' : ', or to change or cancel one'}, please phone the practice
            {letterhead.phone ? (
              <>
                {' '}at <a href={`tel:${letterhead.phone.replace(/[^0-9+]/g, '')}`}>{letterhead.phone}</a>
              </>
            ) : null}
            .
          </p>
        </Panel>
      )}
      <AppointmentLists patientId={patientId} s={s} practice={letterhead} />
    </div>
  );
}

function AppointmentLists({ patientId, s, practice }: { patientId: string; s: SelfScheduling; practice: { name: string; address?: string; phone?: string } }) {
  const query = useSearch<Appointment>('Appointment', { patient: `Patient/${patientId}`, _sort: '-date', _count: 200 });
  const now = Date.now();
  const { upcoming, past } = useMemo(() => splitAppointments(matches(query.data), now), [query.data, now]);
  const states = (what: string) => (
    <>
      {query.isPending && <LoadingSkeleton label={`Loading your ${what} appointments`} />}
      {query.isError && <ErrorState title={`Could not load your ${what} appointments`} message={errorMessage(query.error)} advice={errorAdvice(query.error)} onRetry={() => void query.refetch()} />}
    </>
  );
  return (
    <>
      <Panel title="Upcoming">
        {states('upcoming')}
        {query.isSuccess && upcoming.length === 0 && <EmptyState title="No upcoming appointments" />}
        <ul className="portal-cards" aria-label="Upcoming appointments">
          {upcoming.map((a) => (
            <AppointmentCard key={a.id} appointment={a as Appointment & { id: string }} s={s} practice={practice} now={now} />
          ))}
        </ul>
      </Panel>
      <Panel title="Past and cancelled">
        {states('past')}
        {query.isSuccess && past.length === 0 && <EmptyState title="No past appointments" />}
        <ul className="portal-cards" aria-label="Past and cancelled appointments">
          {past.map((a) => (
            <AppointmentCard key={a.id} appointment={a as Appointment & { id: string }} s={s} practice={practice} now={now} />
          ))}
        </ul>
      </Panel>
    </>
  );
}

const whenText = (a: Appointment) => (a.start ? `${format(new Date(a.start), 'EEEE d MMMM yyyy, HH:mm')}${a.end ? `–${format(new Date(a.end), 'HH:mm')}` : ''}` : 'Time not set');

function AppointmentCard({ appointment: a, s, practice, now }: { appointment: Appointment & { id: string }; s: SelfScheduling; practice: { name: string; address?: string; phone?: string }; now: number }) {
  const status = statusWords(a);
  const allowed = allowedChanges(a, s, now);
  const [moving, setMoving] = useState(false);
  const [cancelling, setCancelling] = useState(false);
  const ahead = a.start !== undefined && Date.parse(a.start) >= now && a.status !== 'cancelled';
  const type = visitTypeText(a) || 'Appointment';
  const download = () => saveFile(appointmentIcs(calendarEvent(a, practice, window.location.host, new Date())), 'text/calendar', `appointment-${(a.start ?? '').slice(0, 10)}.ics`);
  return (
    <li className="portal-card" data-testid="appointment" data-status={a.status}>
      <div className="portal-card-head">
        <h3>{whenText(a)}</h3>
        <Badge tone={status.tone}>{status.text}</Badge>
      </div>
      <p>
        {type}
        {clinicianOf(a) ? ` with ${clinicianOf(a)}` : ''}
      </p>
      {a.description && <p className="muted">Reason: {a.description}</p>}
      {a.status === 'cancelled' && a.cancelationReason?.text && <p className="muted">Why cancelled: {a.cancelationReason.text}</p>}
      {(a.status === 'proposed' || a.status === 'pending') && ahead && <p className="muted">The practice will confirm this time, or suggest another.</p>}
      {ahead && (
        <div className="portal-actions">
          <Button size="sm" onPress={download} aria-label={`Add the appointment on ${whenText(a)} to my calendar (.ics)`}>
            Add to calendar (.ics)
          </Button>
          {allowed.reschedule && !moving && (
            <Button size="sm" onPress={() => setMoving(true)}>
              Change time
            </Button>
          )}
          {allowed.cancel && (
            <Button size="sm" variant="danger" onPress={() => setCancelling(true)}>
              {a.status === 'proposed' ? 'Withdraw request' : 'Cancel appointment'}
            </Button>
          )}
        </div>
      )}
      {moving && <MoveForm appointment={a} s={s} onDone={() => setMoving(false)} />}
      {cancelling && <CancelDialog appointment={a} onClose={() => setCancelling(false)} />}
    </li>
  );
}

function CancelDialog({ appointment, onClose }: { appointment: Appointment & { id: string }; onClose: () => void }) {
  const save = useUpdate<Appointment & { id: string }>();
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const withdraw = appointment.status === 'proposed';
  const submit = () => {
    setTried(true);
    if (reason.trim() === '') return;
    save.mutate(cancelledAppointment(appointment, reason) as Appointment & { id: string }, { onSuccess: onClose });
  };
  return (
    <Dialog
      title={withdraw ? 'Withdraw this request?' : 'Cancel this appointment?'}
      isOpen
      onOpenChange={(open) => !open && onClose()}
      actions={
        <>
          <Button onPress={onClose}>Keep it</Button>
          <Button variant="danger" isDisabled={save.isPending} onPress={submit}>
            {save.isPending ? 'Cancelling…' : withdraw ? 'Withdraw request' : 'Cancel appointment'}
          </Button>
        </>
      }
    >
      <p>{whenText(appointment)}</p>
      <TextField label="Why are you cancelling?" description="The practice sees this." multiline value={reason} onChange={setReason} isRequired isInvalid={tried && reason.trim() === ''} errorMessage="Please say why." />
      {save.isError && <ErrorState title="Not cancelled" message={errorMessage(save.error)} advice={errorAdvice(save.error)} />}
    </Dialog>
  );
}

/**
 * The practice's visit types. (The clinicians come with the free times: Schedule is in FHIR's
 * Patient compartment, through its `actor`, so a patient's search of Schedules matches none.)
 */
function useBookingOptions() {
  const types = useSearch<ActivityDefinition>('ActivityDefinition', VISIT_TYPE_SEARCH);
  return { types: visitTypes(matches(types.data)), pending: types.isPending, error: types.error, retry: () => void types.refetch() };
}

const ANY = 'any';

function RequestPanel({ patientId, s }: { patientId: string; s: SelfScheduling }) {
  const [open, setOpen] = useState(false);
  const [done, setDone] = useState<Appointment | undefined>();
  const verb = s.needsApproval ? 'Request' : 'Book';
  return (
    <Panel title={`${verb} an appointment`}>
      {done && (
        <p role="status" className="portal-notice">
          {done.status === 'proposed' ? `Requested for ${whenText(done)}. The practice will confirm it; you will see it here.` : `Booked for ${whenText(done)}.`}
        </p>
      )}
      {!open ? (
        <>
          <p className="muted">{s.needsApproval ? 'Choose a visit type and a free time. The practice confirms each request.' : 'Choose a visit type and a free time; it is booked at once.'}</p>
          <div className="portal-actions">
            <Button variant="primary" onPress={() => (setDone(undefined), setOpen(true))}>
              {verb} an appointment
            </Button>
          </div>
        </>
      ) : (
        <RequestForm patientId={patientId} s={s} onCancel={() => setOpen(false)} onDone={(a) => (setDone(a), setOpen(false))} />
      )}
    </Panel>
  );
}

function RequestForm({ patientId, s, onCancel, onDone }: { patientId: string; s: SelfScheduling; onCancel: () => void; onDone: (a: Appointment) => void }) {
  const options = useBookingOptions();
  const queryClient = useQueryClient();
  const create = useCreate<Appointment>();
  const [typeId, setTypeId] = useState<string | undefined>();
  const [time, setTime] = useState<ChosenTime | undefined>();
  const [reason, setReason] = useState('');
  const [tried, setTried] = useState(false);
  const type = options.types.find((t) => t.id === typeId);
  if (options.pending) return <LoadingSkeleton label="Loading visit types" />;
  if (options.error) return <ErrorState title="Could not load the visit types" message={errorMessage(options.error)} advice={errorAdvice(options.error)} onRetry={options.retry} />;
  const submit = () => {
    setTried(true);
    if (!type || !time) return;
    create.mutate(requestedAppointment(patientId, type, time, reason, s, format(new Date(), 'yyyy-MM-dd')), {
      onSuccess: onDone,
      // Someone took the time meanwhile: show the free times as they are now; the rest of the form stays.
      onError: () => (setTime(undefined), void queryClient.invalidateQueries({ queryKey: ['fhir', 'Appointment', 'find'] })),
    });
  };
  return (
    <form className="portal-form appointment-form" aria-label="Appointment request" noValidate onSubmit={(e) => (e.preventDefault(), submit())}>
      <Select
        label="Visit type"
        options={options.types.map((t) => ({ id: t.id, label: `${t.title} (${t.minutes} min)` }))}
        selectedKey={typeId ?? null}
        onSelectionChange={(k) => (setTypeId(k), setTime(undefined))}
        isRequired
        isInvalid={tried && !type}
        errorMessage="Choose a visit type."
        placeholder="Choose…"
      />
      {type ? <FreeTimes type={type} value={time} onChange={setTime} invalid={tried && !time} /> : <p className="muted">Choose a visit type to see clinicians and free times.</p>}
      <TextField label="Reason for the visit" description="In a few words; optional." multiline value={reason} onChange={setReason} />
      {create.isError && <ErrorState title="Not sent" message={errorMessage(create.error)} advice={`${errorAdvice(create.error)} Your choices are still here.`} />}
      <div className="portal-actions">
        <Button type="submit" variant="primary" isDisabled={create.isPending}>
          {create.isPending ? 'Sending…' : s.needsApproval ? 'Send request' : 'Book'}
        </Button>
        <Button onPress={onCancel}>Not now</Button>
      </div>
    </form>
  );
}

function MoveForm({ appointment, s, onDone }: { appointment: Appointment & { id: string }; s: SelfScheduling; onDone: () => void }) {
  const options = useBookingOptions();
  const queryClient = useQueryClient();
  const save = useUpdate<Appointment & { id: string }>();
  const [time, setTime] = useState<ChosenTime | undefined>();
  const [tried, setTried] = useState(false);
  const codes = new Set((appointment.appointmentType?.coding ?? []).map((c) => `${c.system}|${c.code}`));
  const type = options.types.find((t) => (t.concept.coding ?? []).some((c) => codes.has(`${c.system}|${c.code}`)));
  if (options.pending) return <LoadingSkeleton label="Loading free times" />;
  if (options.error) return <ErrorState title="Could not load free times" message={errorMessage(options.error)} advice={errorAdvice(options.error)} onRetry={options.retry} />;
  if (!type) return <ErrorState title="This visit type can no longer be booked online" message="The practice no longer offers this visit type for booking." advice="Please phone the practice to change it." />;
  const clinician = appointment.participant?.find((p) => p.actor?.reference?.startsWith('Practitioner/'))?.actor?.reference;
  const submit = () => {
    setTried(true);
    if (!time) return;
    save.mutate(movedAppointment(appointment, time, s) as Appointment & { id: string }, {
      onSuccess: onDone,
      onError: () => (setTime(undefined), void queryClient.invalidateQueries({ queryKey: ['fhir', 'Appointment', 'find'] })),
    });
  };
  return (
    <form className="portal-form appointment-form" aria-label="Change the time" noValidate onSubmit={(e) => (e.preventDefault(), submit())}>
      <FreeTimes type={type} practitioner={clinician} value={time} onChange={setTime} invalid={tried && !time} />
      {s.needsApproval && <p className="muted">The practice confirms the new time.</p>}
      {save.isError && <ErrorState title="Not changed" message={errorMessage(save.error)} advice={`${errorAdvice(save.error)} Your appointment is as it was.`} />}
      <div className="portal-actions">
        <Button type="submit" variant="primary" isDisabled={save.isPending}>
          {save.isPending ? 'Saving…' : 'Move to this time'}
        </Button>
        <Button onPress={onDone}>Keep the time</Button>
      </div>
    </form>
  );
}

/** Days looked at together: a week, then the next on request. */
const RANGE_DAYS = 7;

/**
 * `Appointment/$find`: the free times of the visit type, by day, to pick one from. Without a
 * fixed `practitioner` it asks for every clinician's and offers the clinicians it found, or "Any
 * clinician" (each time once, with the first clinician free then).
 */
function FreeTimes({ type, practitioner, value, onChange, invalid }: { type: VisitType; practitioner?: string; value?: ChosenTime; onChange: (t: ChosenTime | undefined) => void; invalid: boolean }) {
  const fhir = useFhir();
  const queryClient = useQueryClient();
  const [from, setFrom] = useState(() => new Date());
  const start = format(from, 'yyyy-MM-dd');
  const end = format(addDays(from, RANGE_DAYS - 1), 'yyyy-MM-dd');
  const params = { 'visit-type': type.id, start, end, ...(practitioner ? { practitioner } : {}), _count: 500 };
  const found = useQuery({
    queryKey: ['fhir', 'Appointment', 'find', params],
    queryFn: ({ signal }) => fhir.operation<Bundle<Appointment>>('Appointment', 'find', params, signal),
  });
  const times = useMemo(
    () =>
      matches(found.data).map((a) => {
        const actor = a.participant?.find((p) => p.actor?.reference?.startsWith('Practitioner/'))?.actor;
        return { start: a.start!, end: a.end!, practitioner: actor?.reference ?? '', ...(actor?.display ? { display: actor.display } : {}) };
      }),
    [found.data],
  );
  const [clinician, setClinician] = useState(ANY);
  const clinicians = useMemo(() => {
    const seen = new Map<string, string>();
    for (const t of times) if (!seen.has(t.practitioner)) seen.set(t.practitioner, t.display ?? 'Clinician');
    return [...seen].map(([id, label]) => ({ id, label })).sort((x, y) => x.label.localeCompare(y.label));
  }, [times]);
  const any = !practitioner && clinician === ANY;
  const days = useMemo(() => {
    const map = new Map<string, ChosenTime[]>();
    const seen = new Set<string>();
    for (const t of times) {
      if (!practitioner && clinician !== ANY && t.practitioner !== clinician) continue;
      if (any && seen.has(t.start)) continue;
      seen.add(t.start);
      const day = format(new Date(t.start), 'yyyy-MM-dd');
      map.set(day, [...(map.get(day) ?? []), t]);
    }
    return map;
  }, [times, practitioner, clinician, any]);
  const [day, setDay] = useState<string | undefined>();
  const shownDay = day !== undefined && days.has(day) ? day : days.keys().next().value;
  const key = (t: ChosenTime) => `${t.start}|${t.practitioner}`;
  return (
    <div className="appointment-times">
      {found.isPending && <LoadingSkeleton label="Finding free times" lines={2} />}
      {found.isError && <ErrorState title="Could not find free times" message={errorMessage(found.error)} advice={errorAdvice(found.error)} onRetry={() => void queryClient.invalidateQueries({ queryKey: ['fhir', 'Appointment', 'find'] })} />}
      {found.isSuccess && days.size === 0 && (
        <EmptyState title={`No free times from ${format(from, 'd MMM')} to ${format(addDays(from, RANGE_DAYS - 1), 'd MMM')}`}>Try the next week, another clinician, or phone the practice.</EmptyState>
      )}
      {!practitioner && clinicians.length > 0 && (
        <Select label="Clinician" options={[{ id: ANY, label: 'Any clinician' }, ...clinicians]} selectedKey={clinician} onSelectionChange={(k) => (setClinician(k), onChange(undefined))} />
      )}
      {days.size > 0 && shownDay && (
        <>
          <Select label="Day" options={[...days].map(([d, ts]) => ({ id: d, label: `${format(new Date(`${d}T12:00:00`), 'EEEE d MMMM')} (${ts.length} free)` }))} selectedKey={shownDay} onSelectionChange={setDay} />
          <RadioGroup className="appointment-time-group" value={value ? key(value) : null} onChange={(k) => onChange(days.get(shownDay)!.find((t) => key(t) === k) ?? times.find((t) => key(t) === k)!)} isRequired isInvalid={invalid}>
            <Label className="h-field-label">Time</Label>
            <div className="appointment-time-grid">
              {days.get(shownDay)!.map((t) => (
                <Radio key={key(t)} value={key(t)} className="appointment-time">
                  <span>{format(new Date(t.start), 'HH:mm')}</span>
                  {any && t.display && <span className="appointment-time-who">{t.display}</span>}
                </Radio>
              ))}
            </div>
            {invalid && <p className="appointment-time-error">Choose a time.</p>}
          </RadioGroup>
        </>
      )}
      {value && (
        <p className="muted" data-testid="chosen-time">
          Chosen: {format(new Date(value.start), 'EEEE d MMMM, HH:mm')}
          {value.display ? ` with ${value.display}` : ''}
        </p>
      )}
      <div className="portal-actions">
        {from.toDateString() !== new Date().toDateString() && (
          <Button size="sm" onPress={() => setFrom((f) => addDays(f, -RANGE_DAYS))}>
            Earlier times
          </Button>
        )}
        <Button size="sm" onPress={() => setFrom((f) => addDays(f, RANGE_DAYS))}>
          Later times
        </Button>
      </div>
    </div>
  );
}
