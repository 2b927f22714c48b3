import { differenceInMinutes, format, isToday, startOfDay } from 'date-fns';
import type { CSSProperties } from 'react';
import { Button } from 'react-aria-components';
import { familyFirst } from '../../fhir-format/patient.ts';
import { clinicianOf, patientOf } from '../../schedule/booking.ts';
import { layoutDay, spanOf } from '../../schedule/calendar-layout.ts';
import { roomOf, STAGE_LABELS, visitStage } from '../../schedule/visit-stage.ts';
import { visitTypeText } from '../../schedule/visit-types.ts';
import type { Visit } from './schedule-data.ts';

/** Pixels per minute: 6 hours fit at 1366×768; a visit under half an hour is one line, longer ones two. */
export const PX_PER_MINUTE = 1.5;
const TWO_LINES_PX = 40;

export interface CalendarColumn {
  key: string;
  /** Visible heading: "Dr. Dana Whitfield" or "Tue 8 Dec". */
  title: string;
  /** For screen readers: whose day, which day. */
  label: string;
  day: Date;
  visits: Visit[];
  /** Whose time an empty spot books, when the column is one clinician's. */
  clinician?: string;
}

export interface CalendarGridProps {
  /** What the grid shows: "Tuesday 8 December 2026, whole practice". */
  label: string;
  columns: CalendarColumn[];
  hours: { from: number; to: number };
  /** Show each visit's clinician (columns that mix clinicians). */
  showClinician: boolean;
  onOpen: (visit: Visit) => void;
  /** A click on an empty spot: book there (mouse only; the Book button does it from the keyboard). */
  onPickTime?: (column: CalendarColumn, at: Date) => void;
}

/**
 * Day or week columns on one time axis. Each column is a labelled list of its appointments in
 * time order, so a screen reader hears them as a list; on screen each sits where its time is,
 * overlapping ones side by side. The status is written in every block, not only coloured.
 */
export function CalendarGrid({ label, columns, hours, showClinician, onOpen, onPickTime }: CalendarGridProps) {
  const minutes = (hours.to - hours.from) * 60;
  const height = minutes * PX_PER_MINUTE;
  const hourMarks = Array.from({ length: hours.to - hours.from }, (_, i) => hours.from + i);
  const now = new Date();
  return (
    // It scrolls on its own, so it takes focus (arrow keys scroll it; WCAG 2.1.1).
    <div className="cal" role="region" aria-label={`Appointments: ${label}`} tabIndex={0} style={{ '--cal-columns': columns.length } as CSSProperties}>
      <div className="cal-head-row">
        <div className="cal-corner" />
        {columns.map((c) => (
          <div key={c.key} className="cal-col-head" data-today={isToday(c.day) || undefined}>
            {c.title}
          </div>
        ))}
      </div>
      <div className="cal-body">
        <div className="cal-times" aria-hidden="true" style={{ height }}>
          {hourMarks.map((h) => (
            <span key={h} className="cal-time" style={{ top: (h - hours.from) * 60 * PX_PER_MINUTE }}>
              {String(h).padStart(2, '0')}:00
            </span>
          ))}
        </div>
        {columns.map((c) => {
          const placed = layoutDay(c.visits, (v) => spanOf(v.appointment), c.day, hours.from);
          const nowTop = isToday(c.day) ? differenceInMinutes(now, startOfDay(now)) - hours.from * 60 : -1;
          return (
            <section key={c.key} className="cal-col" aria-label={`${c.label}: ${placed.length === 0 ? 'nothing booked' : `${placed.length} appointment${placed.length === 1 ? '' : 's'}`}`}>
              <div
                className="cal-col-body"
                style={{ height, backgroundSize: `100% ${60 * PX_PER_MINUTE}px` }}
                onClick={(event) => {
                  if (!onPickTime || event.target !== event.currentTarget) return;
                  const y = event.clientY - event.currentTarget.getBoundingClientRect().top;
                  const minute = Math.floor(y / PX_PER_MINUTE / 10) * 10 + hours.from * 60;
                  onPickTime(c, new Date(c.day.getFullYear(), c.day.getMonth(), c.day.getDate(), Math.floor(minute / 60), minute % 60));
                }}
              >
                {nowTop >= 0 && nowTop <= minutes && <div className="cal-now" style={{ top: nowTop * PX_PER_MINUTE }} aria-hidden="true" />}
                <ol className="cal-items">
                  {placed.map((p) => {
                    const v = p.item;
                    const stage = visitStage(v.appointment, v.encounter);
                    const name = v.patient ? familyFirst(v.patient.name) : (patientOf(v.appointment)?.display ?? 'Unknown patient');
                    const type = visitTypeText(v.appointment);
                    const room = stage === 'roomed' ? roomOf(v.encounter) : undefined;
                    const who = showClinician ? clinicianOf(v.appointment)?.display : undefined;
                    const when = `${format(p.start, 'HH:mm')}–${format(p.end, 'HH:mm')}`;
                    return (
                      <li
                        key={v.appointment.id}
                        className="cal-item-slot"
                        style={{ top: p.top * PX_PER_MINUTE, height: p.height * PX_PER_MINUTE, left: `${(p.lane / p.lanes) * 100}%`, width: `${100 / p.lanes}%` }}
                      >
                        <Button
                          className="cal-item"
                          data-stage={stage}
                          onPress={() => onOpen(v)}
                          aria-label={`${when} ${name}, ${type || 'appointment'}${who ? ` with ${who}` : ''}, ${STAGE_LABELS[stage].label}${room ? ` in ${room}` : ''}`}
                        >
                          {p.height * PX_PER_MINUTE < TWO_LINES_PX ? (
                            <span className="cal-item-line">
                              <span className="cal-item-time">{format(p.start, 'HH:mm')}</span> <strong>{name}</strong> · <span className="cal-item-stage">{STAGE_LABELS[stage].label}</span>
                              <span className="cal-item-meta">
                                {room && ` · ${room}`}
                                {type && ` · ${type}`}
                                {who && ` · ${who}`}
                              </span>
                            </span>
                          ) : (
                            <>
                              <span className="cal-item-line">
                                <span className="cal-item-time">{format(p.start, 'HH:mm')}</span> <strong>{name}</strong>
                              </span>
                              <span className="cal-item-line cal-item-meta">
                                <span className="cal-item-stage">{STAGE_LABELS[stage].label}</span>
                                {room && ` · ${room}`}
                                {type && ` · ${type}`}
                                {who && ` · ${who}`}
                              </span>
                            </>
                          )}
                        </Button>
                      </li>
                    );
                  })}
                </ol>
              </div>
            </section>
          );
        })}
      </div>
    </div>
  );
}
