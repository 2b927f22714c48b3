import { useEffect, useState, type ReactNode } from 'react';
import { Button } from './button.tsx';

/** Nothing to show, said plainly, with what the user can do about it. */
export function EmptyState({ title, children }: { title: string; children?: ReactNode }) {
  return (
    <div className="h-state" data-kind="empty">
      <p className="h-state-title">{title}</p>
      {children}
    </div>
  );
}

export interface ErrorStateProps {
  /** What failed, from the user's side: "Could not load today's patients". */
  title: string;
  /** The server's readable reason. */
  message: string;
  /** What to do next. */
  advice: string;
  onRetry?: () => void;
}

/** A failure, in words: what failed, why, and what to do. Announced to screen readers. */
export function ErrorState({ title, message, advice, onRetry }: ErrorStateProps) {
  return (
    <div className="h-state" data-kind="error" role="alert">
      <p className="h-state-title">{title}</p>
      <p>{message}</p>
      <p className="muted">{advice}</p>
      {onRetry && (
        <Button size="sm" onPress={onRetry}>
          Try again
        </Button>
      )}
    </div>
  );
}

/** How long loading may take before the user is told it is slow. */
export const SLOW_AFTER_MS = 3000;

/** Grey bars where content will appear; after a few seconds it also says that loading is slow. */
export function LoadingSkeleton({ lines = 3, label = 'Loading' }: { lines?: number; label?: string }) {
  const [slow, setSlow] = useState(false);
  useEffect(() => {
    const timer = setTimeout(() => setSlow(true), SLOW_AFTER_MS);
    return () => clearTimeout(timer);
  }, []);
  return (
    <div role="status" aria-live="polite">
      <span className="visually-hidden">{label}…</span>
      {Array.from({ length: lines }, (_, i) => (
        <span key={i} className="h-skeleton" style={{ width: `${90 - ((i * 17) % 40)}%` }} aria-hidden="true" />
      ))}
      {slow && <p className="h-slow-note">Still loading; the server is slow to answer.</p>}
    </div>
  );
}
