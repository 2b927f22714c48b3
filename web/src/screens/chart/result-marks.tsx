import { FLAG_TEXT, isAbnormal, isCritical, type Flag, type Trend } from '../../clinical/flags.ts';
import { Badge } from '../../design/index.ts';

/**
 * A result's flag in words and symbol ("H High", "LL Critically low"), never colour alone
 * (WCAG 1.4.1). Nothing for normal values, so the abnormal ones stand out.
 */
export function FlagBadge({ flag }: { flag: Flag | undefined }) {
  if (!isAbnormal(flag)) return null;
  const { symbol, label } = FLAG_TEXT[flag!];
  return (
    <Badge tone={isCritical(flag) ? 'danger' : 'warning'}>
      <span aria-hidden="true">{symbol}</span> {label}
    </Badge>
  );
}

const ARROW: Record<Trend, { mark: string; word: string }> = {
  up: { mark: '↑', word: 'up' },
  down: { mark: '↓', word: 'down' },
  steady: { mark: '→', word: 'steady' },
};

/** Which way the value moved since the one before: an arrow, and the words for screen readers. */
export function TrendMark({ trend, previous, unit }: { trend: Trend | undefined; previous: number | undefined; unit?: string }) {
  if (!trend) return <span className="muted trend-mark" title="No earlier value">–<span className="visually-hidden">no earlier value</span></span>;
  const words = `${ARROW[trend].word} from ${previous}${unit ? ` ${unit}` : ''}`;
  return (
    <span className="trend-mark" data-trend={trend} title={words[0]!.toUpperCase() + words.slice(1)}>
      <span aria-hidden="true">{ARROW[trend].mark}</span>
      <span className="visually-hidden">{words}</span>
    </span>
  );
}
