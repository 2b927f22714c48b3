import { NavLink } from 'react-router';

export interface SectionLink {
  to: string;
  label: string;
  /** Current also on the pages below it (`/administration/people/…`); otherwise only on its own path. */
  prefix?: boolean;
}

/** Tabs between the screens of one area (a chart, the administration): any one is a click from any other. */
export function SectionNav({ label, links, className }: { label: string; links: readonly SectionLink[]; className?: string }) {
  return (
    <nav className={className ? `section-nav ${className}` : 'section-nav'} aria-label={label}>
      {links.map((link) => (
        <NavLink key={link.to} to={link.to} end={!link.prefix} className="section-nav-link">
          {link.label}
        </NavLink>
      ))}
    </nav>
  );
}
