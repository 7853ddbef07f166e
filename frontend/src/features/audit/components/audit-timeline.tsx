import { formatDateTime, formatValue, humanize } from '@/lib/format';
import type { AuditEvent } from '@/lib/types';

export function ChangesList({ changes }: { changes: AuditEvent['changes'] }) {
  if (!changes || typeof changes !== 'object') return null;
  // A creation lists every field from nothing; empty ones say nothing.
  const entries = Object.entries(changes).filter(([, pair]) => {
    const [before, after] = Array.isArray(pair) ? pair : [undefined, pair];
    const empty = (v: unknown) => v === null || v === undefined || v === '';
    return !(empty(before) && empty(after));
  });
  if (entries.length === 0) return null;
  return (
    <ul className="changes">
      {entries.map(([field, pair]) => {
        const [before, after] = Array.isArray(pair) ? pair : [undefined, pair];
        return (
          <li key={field}>
            <span className="changes__field">{humanize(field)}</span>{' '}
            <span className="changes__old">{formatValue(before)}</span>
            <span aria-label="changed to"> → </span>
            <span className="changes__new">{formatValue(after)}</span>
          </li>
        );
      })}
    </ul>
  );
}

export function AuditTimeline({ events }: { events: AuditEvent[] }) {
  if (events.length === 0) return <p className="muted">No history yet.</p>;
  return (
    <ol className="timeline" data-testid="history-timeline">
      {events.map((event) => (
        <li key={event.id} className="timeline__item">
          <div className="timeline__head">
            <strong>{humanize(event.action)}</strong> ·{' '}
            {event.entity_repr || humanize(event.entity_type)}
          </div>
          <div className="timeline__meta">
            {formatDateTime(event.timestamp)} · {event.actor_username || 'system'}
          </div>
          <ChangesList changes={event.changes} />
          {event.comment ? <div className="timeline__comment">“{event.comment}”</div> : null}
        </li>
      ))}
    </ol>
  );
}
