import './schedule.css';
import type { Appointment } from '@medplum/fhirtypes';
import { addMinutes, addWeeks, format, isSameDay, isValid, parse, startOfWeek } from 'date-fns';
import { useMemo, useState } from 'react';
import { ToggleButton, ToggleButtonGroup } from 'react-aria-components';
import { useSearchParams } from 'react-router';
import { useSingleKeyShortcuts } from '../../app/shortcuts.ts';
import { useUser } from '../../auth/auth-context.tsx';
import { Button, EmptyState, Select } from '../../design/index.ts';
import { QueryView } from '../../fhir/query-view.tsx';
import { clinicianOf } from '../../schedule/booking.ts';
import { bookingFormOf, type BookingForm } from '../../schedule/booking-form.ts';
import { gridHours, searchRange, spanOf, stepDay, weekDays, type TimeSpan } from '../../schedule/calendar-layout.ts';
import { occupiedRooms } from '../../schedule/visit-stage.ts';
import type { VisitType } from '../../schedule/visit-types.ts';
import { BookingDialog } from './booking-dialog.tsx';
import { CalendarGrid, type CalendarColumn } from './calendar-grid.tsx';
import { schedules, seesVisits, useClinicians, useRooms, useVisits, useVisitTypes, type Clinician, type Visit } from './schedule-data.ts';
import { VisitDialog } from './visit-dialog.tsx';
import { editsVisitTypes, VisitTypesDialog } from './visit-types-dialog.tsx';

type View = 'day' | 'week';
const ALL = 'all';

/**
 * `/schedule`: the practice's appointments by day or week, for one clinician or everyone. Book
 * (the Book button, or a click on an empty time), and open any appointment to check in, room,
 * reschedule, cancel or mark no-show. What is shown is in the address (view, day, clinician), so
 * a reload or a shared link shows the same.
 */
export function ScheduleScreen() {
  const user = useUser();
  const [params, setParams] = useSearchParams();
  const view: View = params.get('view') === 'week' ? 'week' : 'day';
  const parsed = parse(params.get('date') ?? '', 'yyyy-MM-dd', new Date());
  const day = isValid(parsed) ? parsed : new Date();
  const { clinicians, query: cliniciansQuery } = useClinicians();
  const own = clinicians.find((c) => c.reference === user.fhirUser)?.reference;
  const clinician = params.get('clinician') ?? (user.role === 'physician' && own ? own : ALL);
  const range = useMemo(() => searchRange(day, view), [day.toDateString(), view]);
  const { query, visits } = useVisits(range, clinician === ALL ? undefined : clinician);
  const { types } = useVisitTypes();
  const { rooms } = useRooms(seesVisits(user.role));
  const [booking, setBooking] = useState<{ initial: BookingForm; stored?: Appointment } | undefined>();
  const [opened, setOpened] = useState<string | undefined>();
  const [editingTypes, setEditingTypes] = useState(false);
  const openedVisit = visits.find((v) => v.appointment.id === opened);

  const go = (patch: Record<string, string>) => {
    const next = new URLSearchParams(params);
    for (const [k, v] of Object.entries(patch)) next.set(k, v);
    setParams(next, { replace: false });
  };
  const step = (direction: 1 | -1) => go({ date: format(view === 'day' ? stepDay(day, direction) : addWeeks(day, direction), 'yyyy-MM-dd') });

  const newBooking = (at?: Date, who?: string) => {
    const chosen = clinicians.find((c) => c.reference === (who ?? (clinician === ALL ? undefined : clinician))) ?? clinicians[0];
    setBooking({ initial: emptyBooking(at ?? defaultTime(day), chosen, types) });
  };

  // Single keys, listed in the "?" dialog; not while a dialog of this screen is open.
  const idle = booking === undefined && openedVisit === undefined && !editingTypes;
  const canBook = schedules(user.role) && clinicians.length > 0 && types.length > 0;
  useSingleKeyShortcuts(
    idle
      ? {
          ...(canBook ? { b: () => newBooking() } : {}),
          d: () => go({ view: 'day' }),
          w: () => go({ view: 'week' }),
          '[': () => step(-1),
          ']': () => step(1),
          t: () => go({ date: format(new Date(), 'yyyy-MM-dd') }),
        }
      : {},
  );

  const dayTitle = view === 'day' ? format(day, 'EEEE d MMMM yyyy') : `Week of ${format(startOfWeek(day, { weekStartsOn: 1 }), 'd MMMM yyyy')}`;
  const whose = clinician === ALL ? 'Whole practice' : (clinicians.find((c) => c.reference === clinician)?.name ?? 'Clinician');

  return (
    <div className="screen schedule-screen">
      <div className="schedule-toolbar">
        <h1>Schedule</h1>
        <div className="schedule-nav" role="group" aria-label="Choose the day">
          <Button size="sm" onPress={() => step(-1)} aria-label={view === 'day' ? 'Previous day' : 'Previous week'}>
            ‹
          </Button>
          <Button size="sm" onPress={() => go({ date: format(new Date(), 'yyyy-MM-dd') })}>
            Today
          </Button>
          <Button size="sm" onPress={() => step(1)} aria-label={view === 'day' ? 'Next day' : 'Next week'}>
            ›
          </Button>
        </div>
        <p className="schedule-title" aria-live="polite">
          <strong>{dayTitle}</strong> · {whose}
        </p>
        <ToggleButtonGroup
          aria-label="View"
          selectionMode="single"
          disallowEmptySelection
          selectedKeys={[view]}
          onSelectionChange={(keys) => go({ view: String([...keys][0] ?? 'day') })}
          className="schedule-views"
        >
          <ToggleButton id="day" className="h-button" data-size="sm" data-variant="secondary">
            Day
          </ToggleButton>
          <ToggleButton id="week" className="h-button" data-size="sm" data-variant="secondary">
            Week
          </ToggleButton>
        </ToggleButtonGroup>
        <div className="schedule-who">
          <Select label="Clinician" options={[{ id: ALL, label: 'Whole practice' }, ...clinicians.map((c) => ({ id: c.reference, label: c.name }))]} selectedKey={clinician} onSelectionChange={(k) => go({ clinician: k })} />
        </div>
        {editsVisitTypes(user.role) && <Button onPress={() => setEditingTypes(true)}>Visit types</Button>}
        {schedules(user.role) && (
          <Button variant="primary" onPress={() => newBooking()} isDisabled={!canBook} aria-keyshortcuts="b">
            Book appointment
          </Button>
        )}
      </div>
      <QueryView query={query} what="appointments" skeletonLines={8}>
        {() => {
          if (cliniciansQuery.isSuccess && clinicians.length === 0 && visits.length === 0) {
            return <EmptyState title="No clinician takes appointments yet.">A practice administrator adds a Schedule for each clinician who sees patients.</EmptyState>;
          }
          const columns = columnsFor(view, day, clinician, clinicians, visits);
          const spans = visits.map((v) => spanOf(v.appointment)).filter((s): s is TimeSpan => s !== undefined);
          return (
            <>
              {visits.length === 0 && <p className="muted schedule-empty">Nothing booked {view === 'day' ? 'this day' : 'this week'}. {schedules(user.role) ? 'Click a free time or press “Book appointment”.' : ''}</p>}
              <CalendarGrid
                label={`${dayTitle}, ${whose}`}
                columns={columns}
                hours={gridHours(spans, day)}
                showClinician={clinician === ALL && view === 'week'}
                onOpen={(v) => setOpened(v.appointment.id)}
                {...(schedules(user.role) ? { onPickTime: (c: CalendarColumn, at: Date) => newBooking(at, c.clinician) } : {})}
              />
            </>
          );
        }}
      </QueryView>
      {booking && (
        <BookingDialog
          key={booking.stored?.id ?? 'new'}
          initial={booking.initial}
          {...(booking.stored ? { stored: booking.stored } : {})}
          types={types}
          clinicians={clinicians}
          onClose={() => setBooking(undefined)}
          onSaved={(saved) => {
            setBooking(undefined);
            if (saved.start && !isSameDay(new Date(saved.start), day)) go({ date: format(new Date(saved.start), 'yyyy-MM-dd') });
          }}
        />
      )}
      {editingTypes && <VisitTypesDialog onClose={() => setEditingTypes(false)} />}
      {openedVisit && (
        <VisitDialog
          key={openedVisit.appointment.id}
          visit={openedVisit}
          rooms={rooms}
          busyRooms={occupiedRooms(visits.flatMap((v) => (v.encounter ? [v.encounter] : [])))}
          onClose={() => setOpened(undefined)}
          onReschedule={() => {
            setOpened(undefined);
            setBooking({ initial: bookingFormOf(openedVisit.appointment, types), stored: openedVisit.appointment });
          }}
        />
      )}
    </div>
  );
}

/** The next 10 minutes from now on today, else 09:00 on the day shown. */
function defaultTime(day: Date): Date {
  const now = new Date();
  if (!isSameDay(day, now)) return new Date(day.getFullYear(), day.getMonth(), day.getDate(), 9, 0);
  const next = addMinutes(now, 10 - (now.getMinutes() % 10));
  return new Date(next.getFullYear(), next.getMonth(), next.getDate(), next.getHours(), next.getMinutes());
}

function emptyBooking(at: Date, clinician: Clinician | undefined, types: readonly VisitType[]): BookingForm {
  const type = types.find((t) => t.code === 'follow-up') ?? types[0];
  return {
    practitioner: clinician?.reference ?? '',
    practitionerName: clinician?.name ?? '',
    visitType: type?.code ?? '',
    date: format(at, 'yyyy-MM-dd'),
    time: format(at, 'HH:mm'),
    minutes: String(type?.minutes ?? 20),
    reason: '',
  };
}

function columnsFor(view: View, day: Date, clinician: string, clinicians: readonly Clinician[], visits: readonly Visit[]): CalendarColumn[] {
  if (view === 'week') {
    const spans = visits.map((v) => spanOf(v.appointment)).filter((s): s is TimeSpan => s !== undefined);
    const who = clinicians.find((c) => c.reference === clinician);
    return weekDays(day, spans).map((d) => ({
      key: d.toDateString(),
      title: format(d, 'EEE d MMM'),
      label: `${who ? `${who.name}, ` : ''}${format(d, 'EEEE d MMMM')}`,
      day: d,
      visits: visits.filter((v) => v.appointment.start && isSameDay(new Date(v.appointment.start), d)),
      ...(who ? { clinician: who.reference } : {}),
    }));
  }
  const shown = clinician === ALL ? clinicians : clinicians.filter((c) => c.reference === clinician);
  const columns: CalendarColumn[] = shown.map((c) => ({
    key: c.reference,
    title: c.name,
    label: `${c.name}, ${format(day, 'EEEE d MMMM')}`,
    day,
    clinician: c.reference,
    visits: visits.filter((v) => clinicianOf(v.appointment)?.reference === c.reference),
  }));
  const known = new Set(shown.map((c) => c.reference));
  const others = visits.filter((v) => !known.has(clinicianOf(v.appointment)?.reference ?? ''));
  if (others.length > 0 && clinician === ALL) columns.push({ key: 'other', title: 'Other', label: `Other appointments, ${format(day, 'EEEE d MMMM')}`, day, visits: others });
  if (columns.length === 0) columns.push({ key: 'day', title: format(day, 'EEE d MMM'), label: format(day, 'EEEE d MMMM'), day, visits: [...visits] });
  return columns;
}
