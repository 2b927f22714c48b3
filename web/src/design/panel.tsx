import { useId, type ReactNode } from 'react';

export interface PanelProps {
  title: string;
  /** Heading level inside the screen's outline (the screen title is h1). */
  level?: 2 | 3;
  /** Buttons or links at the right of the header. */
  actions?: ReactNode;
  /** Body without padding (tables that run edge to edge). */
  flush?: boolean;
  children: ReactNode;
}

/** A titled card; a labelled region, so screen-reader users can jump between panels. */
export function Panel({ title, level = 2, actions, flush, children }: PanelProps) {
  const id = useId();
  const Heading = level === 2 ? 'h2' : 'h3';
  return (
    <section className="h-panel" aria-labelledby={id}>
      <header className="h-panel-header">
        <Heading id={id}>{title}</Heading>
        {actions}
      </header>
      <div className="h-panel-body" data-flush={flush || undefined}>
        {children}
      </div>
    </section>
  );
}
