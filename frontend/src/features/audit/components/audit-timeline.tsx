import { useQuery } from '@tanstack/react-query';
import { api } from '@/lib/api-client';
import { formatDate, formatDateTime, humanize } from '@/lib/format';
import type { AuditEvent } from '@/lib/types';

/** Fields recorded as an id, the endpoint that names it, and the name to show. */
const REFERENCES: Record<
  string,
  { path: string; label: (row: Record<string, unknown>) => string }
> = (() => {
  const unit = { path: 'units', label: (r: Record<string, unknown>) => String(r.code ?? '') };
  const named = (path: string) => ({
    path,
    label: (r: Record<string, unknown>) => String(r.name ?? r.code ?? ''),
  });
  const location = {
    path: 'locations',
    label: (r: Record<string, unknown>) => String(r.path ?? r.code ?? ''),
  };
  return {
    unit,
    target_unit: unit,
    department: named('departments'),
    document_type: named('document-types'),
    location,
    previous_location: location,
    source_location: location,
    allocated_location: location,
    parent: location,
    crate: { path: 'crates', label: (r) => String(r.number ?? '') },
  };
})();

/** A recorded value as a person reads it: Yes/No, dates, names instead of ids, "none". */
export function readableValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return 'none';
  if (typeof value === 'boolean') return value ? 'Yes' : 'No';
  if (typeof value === 'string') {
    if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return formatDate(value);
    if (/^\d{4}-\d{2}-\d{2}T[\d:.]+(Z|[+-]\d{2}:?\d{2})?$/.test(value))
      return formatDateTime(value);
    return value;
  }
  if (Array.isArray(value)) return value.length ? value.map(readableValue).join(', ') : 'none';
  if (typeof value === 'object') return JSON.stringify(value);
  return String(value);
}

function ChangeValue({ field, value }: { field: string; value: unknown }) {
  const reference = REFERENCES[field];
  const id = typeof value === 'number' && reference ? value : null;
  // Master data and places rarely change: one lookup per id, shared by every timeline.
  const named = useQuery({
    queryKey: ['audit-reference', reference?.path, id],
    queryFn: ({ signal }) =>
      api.get<Record<string, unknown>>(`${reference!.path}/${id}/`, undefined, signal),
    enabled: id !== null,
    staleTime: 5 * 60_000,
    retry: false,
  });
  if (id === null) return <>{readableValue(value)}</>;
  const label = named.data ? reference!.label(named.data) : '';
  return <>{label || `#${id}`}</>;
}

export function ChangesList({ changes }: { changes: AuditEvent['changes'] }) {
  if (!changes || typeof changes !== 'object') return null;
  // A creation lists every field from nothing; empty ones say nothing.
  const entries = Object.entries(changes).filter(([, pair]) => {
    const [before, after] = Array.isArray(pair) ? pair : [undefined, pair];
    const empty = (v: unknown) => v === null || v === undefined || v === '';
    return !(empty(before) && empty(after));
  });
  if (entries.length === 0) return null;
  const empty = (v: unknown) => v === null || v === undefined || v === '';
  return (
    <ul className="changes">
      {entries.map(([field, pair]) => {
        const [before, after] = Array.isArray(pair) ? pair : [undefined, pair];
        return (
          <li key={field}>
            <span className="changes__field">{humanize(field)}</span>{' '}
            {empty(before) ? (
              // Set for the first time: the value alone reads better than "none → value".
              <span className="changes__new">
                <ChangeValue field={field} value={after} />
              </span>
            ) : (
              <>
                <span className="changes__old">
                  <ChangeValue field={field} value={before} />
                </span>
                <span aria-label="changed to"> → </span>
                <span className="changes__new">
                  <ChangeValue field={field} value={after} />
                </span>
              </>
            )}
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
