import { Link } from 'react-router-dom';
import { ListStatus } from '@/components/list/list-status';
import { ListTable } from '@/components/list/list-table';
import { Card, PageHeader } from '@/components/ui/misc';
import { useCurrentUser } from '@/contexts/AuthContext';
import { useDocumentTypes } from '@/features/admin/api/master-data';
import { can } from '@/lib/capabilities';
import { formatDateTime, humanize } from '@/lib/format';
import type { DocumentType, RetentionRecompute } from '@/lib/types';
import { useRecomputes } from '../api/retention';
import { RecomputeProgress, useRecomputeProgress } from './recompute-progress';

/** "7 years from the record date" / "1 year from the batch expiry". */
export function scheduleText(
  type: Pick<DocumentType, 'retention_years' | 'retention_trigger' | 'event_name'>,
): string {
  const years = `${type.retention_years} ${type.retention_years === 1 ? 'year' : 'years'}`;
  return type.retention_trigger === 'event'
    ? `${years} from the ${type.event_name || 'event'}`
    : `${years} from the record date`;
}

/** {retention_years: [7, 5]} → "retention years 7 → 5". */
export function changesText(changes: Record<string, unknown[]>): string {
  return Object.entries(changes)
    .map(
      ([name, [before, after]]) =>
        `${humanize(name).toLowerCase()} ${humanize(String(before))} → ${humanize(String(after))}`,
    )
    .join('; ');
}

function Recomputes() {
  const { data, error, isLoading } = useRecomputes({ page_size: 10 });
  const live = useRecomputeProgress();
  return (
    <Card title="Schedule changes and their recomputes">
      <ListStatus
        error={error}
        isLoading={isLoading}
        rows={data?.results.length}
        empty="No schedule changes yet."
      />
      <ListTable
        rows={data?.results}
        testId="recomputes"
        columns={['Type', 'Change', 'Reason', 'By', 'Recompute']}
      >
        {(recompute: RetentionRecompute) => (
          <tr key={recompute.id}>
            <td>{recompute.document_type_code}</td>
            <td>{changesText(recompute.changes as Record<string, unknown[]>)}</td>
            <td>{recompute.reason}</td>
            <td>
              {recompute.requested_by_name}, {formatDateTime(recompute.created_at)}
            </td>
            <td>
              <RecomputeProgress recompute={recompute} live={live[recompute.id]} />
            </td>
          </tr>
        )}
      </ListTable>
    </Card>
  );
}

/** Document types and how long their records are kept (SPEC §12); System Administrators change them. */
export function SchedulesPage() {
  const user = useCurrentUser();
  const { data, error, isLoading } = useDocumentTypes({ page_size: 100, ordering: 'code' });
  const mayChange = can(user, 'manage_document_types');
  return (
    <>
      <PageHeader title="Retention schedules" />
      <p className="muted">
        Each document type is kept for its years from the record date, or from an event recorded
        later (a batch's expiry, a study's closure); a document waiting for its event is never due
        for destruction. Schedules are company-wide: only a System Administrator changes them, with
        a reason, and signs when retention gets shorter.
      </p>
      <ListStatus
        error={error}
        isLoading={isLoading}
        rows={data?.results.length}
        empty="No document types yet."
      />
      <ListTable
        rows={data?.results}
        testId="schedules"
        columns={['Code', 'Name', 'Kept', 'Trigger', ...(mayChange ? ['Change'] : [])]}
      >
        {(type) => (
          <tr key={type.id} data-code={type.code}>
            <td>{type.code}</td>
            <td>
              {type.name}
              {type.is_active ? null : <span className="muted"> (inactive)</span>}
            </td>
            <td>{scheduleText(type)}</td>
            <td>
              {type.retention_trigger === 'event' ? `Event: ${type.event_name}` : 'Record date'}
            </td>
            {mayChange ? (
              <td>
                <Link
                  to={`/schedules/${type.id}`}
                  aria-label={`Change the schedule of ${type.code}`}
                >
                  Change
                </Link>
              </td>
            ) : null}
          </tr>
        )}
      </ListTable>
      <Recomputes />
    </>
  );
}
