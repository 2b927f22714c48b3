import mark from '../design/heron-mark.svg';

/** The Heron mark and name; the name is text, so it is read out and scales with the user's font size. */
export function HeronWordmark({ onDark = false }: { onDark?: boolean }) {
  return (
    <span className="wordmark" data-on-dark={onDark || undefined}>
      <img src={mark} alt="" width={28} height={28} />
      <span className="wordmark-name">Heron</span>
    </span>
  );
}
