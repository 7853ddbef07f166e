import type { ReactNode } from 'react';
import { humanize } from '@/lib/format';

export function StatusBadge({ status }: { status: string | null | undefined }) {
  const value = status ?? 'unknown';
  return <span className={`badge badge--${value}`}>{humanize(value)}</span>;
}

export function CapacityBar({
  occupied,
  capacity,
  label,
}: {
  occupied: number;
  capacity: number;
  label?: string;
}) {
  if (!capacity) return <span className="muted">no crate places</span>;
  const pct = Math.min(100, Math.round((occupied / capacity) * 100));
  const tone = pct >= 90 ? 'full' : pct >= 70 ? 'busy' : 'ok';
  return (
    <div className="capacity">
      <div
        className="capacity__bar"
        role="meter"
        aria-valuemin={0}
        aria-valuemax={capacity}
        aria-valuenow={occupied}
        aria-label={label ?? 'Occupancy'}
      >
        <div className={`capacity__fill capacity__fill--${tone}`} style={{ width: `${pct}%` }} />
      </div>
      <span className="capacity__text">
        {occupied}/{capacity} used · {Math.max(0, capacity - occupied)} free
      </span>
    </div>
  );
}

export function PageHeader({ title, actions }: { title: string; actions?: ReactNode }) {
  return (
    <div className="page-header">
      <h1>{title}</h1>
      {actions ? <div className="page-header__actions">{actions}</div> : null}
    </div>
  );
}

export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="loading" role="status">
      {label}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="empty">{children}</div>;
}

export function Card({
  title,
  children,
  actions,
}: {
  title?: string;
  children: ReactNode;
  actions?: ReactNode;
}) {
  return (
    <section className="card">
      {title || actions ? (
        <div className="card__header">
          {title ? <h2>{title}</h2> : <span />}
          {actions}
        </div>
      ) : null}
      {children}
    </section>
  );
}

export function DefinitionList({ items }: { items: [string, ReactNode][] }) {
  return (
    <dl className="deflist">
      {items.map(([term, value]) => (
        <div key={term} className="deflist__row">
          <dt>{term}</dt>
          <dd>{value ?? '—'}</dd>
        </div>
      ))}
    </dl>
  );
}

/**
 * Props for a box that scrolls sideways (a wide table on a phone): keyboard users reach it
 * with Tab and scroll it with the arrow keys (WCAG 2.1.1; axe `scrollable-region-focusable`).
 */
export const SCROLLABLE = {
  tabIndex: 0,
  role: 'region',
  'aria-label': 'Table (scrolls sideways)',
} as const;
