/**
 * The one trend plot of the app (vitals and results), meeting Sittig's 11 criteria for lab
 * graphs (ux-checks UX-09): the y-axis names the measure and its units; time runs oldest to newest,
 * left to right, on a proportional time axis (unequal intervals stay unequal, so slopes are true);
 * the reference range is a band; each value with its date is readable on hover and from the
 * keyboard (arrow keys); abnormal points have their own shape and letter, not only a colour; the
 * same values are a table one click away. Drawn with visx (SVG through React, so the strict CSP
 * holds); this module is only imported by lazily loaded screens.
 */
import { AxisBottom, AxisLeft } from '@visx/axis';
import { Group } from '@visx/group';
import { scaleLinear, scaleTime } from '@visx/scale';
import { LinePath } from '@visx/shape';
import { format } from 'date-fns';
import { useId, useLayoutEffect, useMemo, useRef, useState, type KeyboardEvent, type MouseEvent } from 'react';
import { FLAG_TEXT, isAbnormal, isCritical, rangeText, type Flag, type Range } from '../../clinical/flags.ts';
import { Button, DataTable, type DataColumn } from '../../design/index.ts';
import './trend-plot.css';

export interface TrendPoint {
  id: string;
  /** ISO date or date-time. */
  when: string;
  value: number;
  flag?: Flag | undefined;
}

export interface TrendPlotProps {
  /** The measure, as the y-axis names it: "Hemoglobin A1c". */
  measure: string;
  /** Its units as read ("%", "mmHg"); the y-axis label says them. */
  unit: string;
  points: readonly TrendPoint[];
  /** The reference (normal) range, drawn as a band. */
  range?: Range | undefined;
}

/** Until the frame is measured; then the plot is drawn at the frame's width, so its text keeps its size. */
const DEFAULT_WIDTH = 760;
const HEIGHT = 280;
const MARGIN = { top: 16, right: 24, bottom: 44, left: 72 };
const DAY = 86_400_000;

function dateTime(ms: number): string {
  return format(ms, 'd MMM yyyy, HH:mm');
}

function flagWords(flag: Flag | undefined): string {
  return isAbnormal(flag) ? `, ${FLAG_TEXT[flag!].label.toLowerCase()}` : '';
}

export function TrendPlot({ measure, unit, points, range }: TrendPlotProps) {
  const [view, setView] = useState<'plot' | 'table'>('plot');
  const [active, setActive] = useState<number | undefined>(undefined);
  const titleId = useId();
  const frame = useRef<HTMLDivElement>(null);
  const [width, setWidth] = useState(DEFAULT_WIDTH);
  useLayoutEffect(() => {
    const element = frame.current;
    if (!element) return;
    const observer = new ResizeObserver(([entry]) => {
      const measured = Math.round(entry?.contentRect.width ?? 0);
      if (measured > 200) setWidth(measured);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [view]);
  const label = unit ? `${measure} (${unit})` : measure;
  const sorted = useMemo(
    () =>
      points
        .map((p) => ({ ...p, time: Date.parse(p.when) }))
        .filter((p) => Number.isFinite(p.time))
        .sort((a, b) => a.time - b.time),
    [points],
  );

  const innerWidth = width - MARGIN.left - MARGIN.right;
  const innerHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const scales = useMemo(() => {
    const times = sorted.map((p) => p.time);
    const first = Math.min(...times);
    const last = Math.max(...times);
    const x = scaleTime<number>({ domain: first === last ? [new Date(first - DAY), new Date(last + DAY)] : [new Date(first), new Date(last)], range: [0, innerWidth] });
    const values = [...sorted.map((p) => p.value), ...(range?.low !== undefined ? [range.low] : []), ...(range?.high !== undefined ? [range.high] : [])];
    const low = Math.min(...values);
    const high = Math.max(...values);
    const pad = (high - low || Math.abs(high) || 1) * 0.12;
    const y = scaleLinear<number>({ domain: [low - pad, high + pad], range: [innerHeight, 0], nice: true });
    const [from, to] = x.domain() as [Date, Date];
    return { x, y, span: to.getTime() - from.getTime() };
  }, [sorted, range, innerWidth, innerHeight]);

  if (sorted.length === 0) return <p className="muted">No values to plot.</p>;
  const { x, y } = scales;
  const [yMin, yMax] = y.domain() as [number, number];
  const bandTop = y(Math.min(range?.high ?? yMax, yMax));
  const bandBottom = y(Math.max(range?.low ?? yMin, yMin));
  const current = active !== undefined ? sorted[active] : undefined;
  const describe = (p: (typeof sorted)[number]) => `${p.value}${unit ? ` ${unit}` : ''} on ${dateTime(p.time)}${flagWords(p.flag)}`;

  const onKeyDown = (event: KeyboardEvent) => {
    const last = sorted.length - 1;
    const next = { ArrowRight: (active ?? -1) + 1, ArrowLeft: (active ?? last + 1) - 1, Home: 0, End: last }[event.key];
    if (next === undefined) return;
    event.preventDefault();
    setActive(Math.max(0, Math.min(last, next)));
  };
  const onMouseMove = (event: MouseEvent<SVGSVGElement>) => {
    // The nearest point in time to the pointer, so a value is readable without hitting an 8-pixel dot.
    const svg = event.currentTarget.getBoundingClientRect();
    const px = ((event.clientX - svg.left) / svg.width) * width - MARGIN.left;
    let best = 0;
    sorted.forEach((p, i) => {
      if (Math.abs(x(p.time) - px) < Math.abs(x(sorted[best]!.time) - px)) best = i;
    });
    setActive(best);
  };

  const columns: DataColumn<(typeof sorted)[number]>[] = [
    { id: 'when', header: 'Date', isRowHeader: true, cell: (p) => dateTime(p.time) },
    { id: 'value', header: label, cell: (p) => `${p.value}${unit ? ` ${unit}` : ''}` },
    { id: 'flag', header: 'Flag', cell: (p) => (isAbnormal(p.flag) ? `${FLAG_TEXT[p.flag!].symbol} ${FLAG_TEXT[p.flag!].label}` : 'Normal') },
  ];

  return (
    <figure className="trend" aria-labelledby={titleId}>
      <figcaption className="trend-caption">
        <span id={titleId} className="trend-title">
          {label} over time
        </span>
        {range && <span className="trend-range">Reference range {rangeText(range, unit)}</span>}
        <Button size="sm" onPress={() => setView(view === 'plot' ? 'table' : 'plot')}>
          {view === 'plot' ? 'Show as table' : 'Show as plot'}
        </Button>
      </figcaption>
      {view === 'table' ? (
        <DataTable label={`${label}, newest first`} columns={columns} rows={[...sorted].reverse()} rowKey={(p) => p.id} />
      ) : (
        <div
          ref={frame}
          className="trend-frame"
          tabIndex={0}
          role="group"
          aria-label={`${label}, ${sorted.length} values from ${dateTime(sorted[0]!.time)} to ${dateTime(sorted[sorted.length - 1]!.time)}. Left and right arrow keys read each value.`}
          onKeyDown={onKeyDown}
          onFocus={() => setActive((a) => a ?? sorted.length - 1)}
          onBlur={() => setActive(undefined)}
        >
          <svg className="trend-svg" viewBox={`0 0 ${width} ${HEIGHT}`} aria-hidden="true" onMouseMove={onMouseMove} onMouseLeave={() => setActive(undefined)}>
            <Group left={MARGIN.left} top={MARGIN.top}>
              {range && <rect className="trend-band" data-low={range.low} data-high={range.high} x={0} width={innerWidth} y={bandTop} height={Math.max(0, bandBottom - bandTop)} />}
              <AxisLeft scale={y} numTicks={5} label={label} labelOffset={40} labelClassName="trend-axis-label" axisClassName="trend-axis trend-axis-y" tickClassName="trend-tick" />
              <AxisBottom
                top={innerHeight}
                scale={x}
                // About one date per 110px, so dates never run together on a phone.
                numTicks={Math.max(2, Math.min(scales.span > 3 * DAY ? 6 : 4, Math.floor(innerWidth / 110)))}
                axisClassName="trend-axis trend-axis-x"
                tickClassName="trend-tick"
                // Within a few days, ticks fall inside one day: the hour tells them apart.
                tickFormat={(d) => format(d as Date, scales.span > 400 * DAY ? 'MMM yyyy' : scales.span > 3 * DAY ? 'd MMM' : 'd MMM HH:mm')}
              />
              <LinePath className="trend-line" data={sorted} x={(p) => x(p.time)} y={(p) => y(p.value)} />
              {sorted.map((p, i) => (
                <PointMark key={p.id} cx={x(p.time)} cy={y(p.value)} flag={p.flag} time={p.time} value={p.value} isActive={i === active} />
              ))}
              {current && <Tooltip x={x(current.time)} y={y(current.value)} innerWidth={innerWidth} lines={[`${current.value}${unit ? ` ${unit}` : ''}${isAbnormal(current.flag) ? ` ${FLAG_TEXT[current.flag!].symbol}` : ''}`, dateTime(current.time)]} />}
            </Group>
          </svg>
        </div>
      )}
      <p className="visually-hidden" aria-live="polite">
        {current ? describe(current) : ''}
      </p>
    </figure>
  );
}

/** A point: a dot when normal, a triangle pointing the way it is out of range with its letter, a ring when critical. */
function PointMark({ cx, cy, flag, time, value, isActive }: { cx: number; cy: number; flag: Flag | undefined; time: number; value: number; isActive: boolean }) {
  const abnormal = isAbnormal(flag);
  const up = flag === 'high' || flag === 'critical-high';
  const down = flag === 'low' || flag === 'critical-low';
  return (
    <g className="trend-point" data-time={time} data-value={value} data-flag={flag ?? 'none'} data-cx={cx} data-active={isActive || undefined}>
      {isActive && <circle className="trend-point-ring" cx={cx} cy={cy} r={10} />}
      {up ? (
        <path className="trend-point-abnormal" d={`M${cx},${cy - 6} L${cx + 6},${cy + 5} L${cx - 6},${cy + 5} Z`} />
      ) : down ? (
        <path className="trend-point-abnormal" d={`M${cx},${cy + 6} L${cx + 6},${cy - 5} L${cx - 6},${cy - 5} Z`} />
      ) : abnormal ? (
        <rect className="trend-point-abnormal" x={cx - 5} y={cy - 5} width={10} height={10} />
      ) : (
        <circle className="trend-point-normal" cx={cx} cy={cy} r={4} />
      )}
      {isCritical(flag) && <circle className="trend-point-critical" cx={cx} cy={cy} r={8} />}
      {abnormal && (
        <text className="trend-point-letter" x={cx} y={up ? cy - 10 : cy + 17} textAnchor="middle">
          {FLAG_TEXT[flag!].symbol}
        </text>
      )}
    </g>
  );
}

function Tooltip({ x, y, innerWidth, lines }: { x: number; y: number; innerWidth: number; lines: string[] }) {
  const width = 150;
  const height = 18 * lines.length + 10;
  const left = Math.min(Math.max(x - width / 2, -MARGIN.left + 4), innerWidth - width + MARGIN.right - 4);
  const top = y - height - 14 < -MARGIN.top ? y + 16 : y - height - 14;
  return (
    <g className="trend-tooltip" transform={`translate(${left},${top})`}>
      <rect width={width} height={height} rx={4} />
      {lines.map((line, i) => (
        <text key={i} x={10} y={20 + i * 18} className={i === 0 ? 'trend-tooltip-value' : undefined}>
          {line}
        </text>
      ))}
    </g>
  );
}
