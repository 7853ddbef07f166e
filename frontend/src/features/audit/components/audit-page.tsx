import { useState } from 'react';
import {
  DateFilter,
  FilterBar,
  SearchFilter,
  SelectFilter,
  type FilterOption,
} from '@/components/list/filter-bar';
import { ListPager } from '@/components/list/list-pager';
import { ListStatus } from '@/components/list/list-status';
import { ListTable } from '@/components/list/list-table';
import { ErrorMessage, errorText } from '@/components/ui/error-message';
import { PageHeader } from '@/components/ui/misc';
import { useCurrentUser } from '@/contexts/AuthContext';
import { can } from '@/lib/capabilities';
import { formatDateTime, humanize } from '@/lib/format';
import { useListParams } from '@/lib/use-list-params';
import { exportAuditCsv, useAudit, useVerifyChain, type VerifyResult } from '../api/audit';
import { ChangesList } from './audit-timeline';
import { AuditReviews } from './audit-reviews';

const PAGE_SIZE = 50;
/** entity_type values written by the server (model names). */
const ENTITY_TYPES: FilterOption[] = [
  { value: 'request', label: 'Request' },
  { value: 'crate', label: 'Crate' },
  { value: 'document', label: 'Document' },
  { value: 'sendback', label: 'Send-back' },
  { value: 'storagelocation', label: 'Storage location' },
  { value: 'signature', label: 'Signature' },
  { value: 'user', label: 'User' },
  { value: 'unit', label: 'Unit' },
  { value: 'department', label: 'Department' },
  { value: 'documenttype', label: 'Document type' },
  { value: 'report', label: 'Report' },
  { value: 'auditreview', label: 'Audit review' },
];
/** The filters the list and its CSV export share. */
const FILTERS = [
  'search',
  'entity_type',
  'actor_username',
  'action_prefix',
  'date_from',
  'date_to',
] as const;

function VerifyOutcome({ result }: { result: VerifyResult }) {
  const valid = result.valid ?? result.ok;
  const checked = result.checked ?? result.count;
  return (
    <div
      className={`alert ${valid ? 'alert--success' : 'alert--error'}`}
      role="status"
      data-testid="verify-result"
    >
      {valid
        ? `Audit chain intact: ${checked ?? 'all'} events verified.`
        : `Audit chain BROKEN at event ${String(result.first_broken_sequence ?? result.first_broken_id ?? result.first_broken ?? '?')}${
            result.reason ? `: ${String(result.reason)}` : ''
          }. ${checked ?? ''} events checked.`}
    </div>
  );
}

export function AuditPage() {
  const user = useCurrentUser();
  const list = useListParams();
  const filters = list.pick(FILTERS);
  const { data, error, isLoading } = useAudit({
    ...filters,
    page: list.page,
    page_size: PAGE_SIZE,
  });
  const verify = useVerifyChain();
  const [exportError, setExportError] = useState<string | null>(null);

  return (
    <>
      <PageHeader
        title="Audit trail"
        actions={
          <>
            {can(user, 'export_audit') ? (
              <button
                type="button"
                className="btn"
                onClick={() => {
                  setExportError(null);
                  void exportAuditCsv(filters).catch((e) => setExportError(errorText(e)));
                }}
              >
                Export CSV
              </button>
            ) : null}
            <button
              type="button"
              className="btn"
              onClick={() => verify.mutate()}
              disabled={verify.isPending}
            >
              {verify.isPending ? 'Verifying…' : 'Verify chain'}
            </button>
          </>
        }
      />
      {exportError ? (
        <div className="alert alert--error" role="alert">
          {exportError}
        </div>
      ) : null}
      <ErrorMessage error={verify.error} />
      {verify.data ? <VerifyOutcome result={verify.data} /> : null}
      <AuditReviews />
      <FilterBar list={list}>
        <SearchFilter />
        <SelectFilter name="entity_type" label="Object type" options={ENTITY_TYPES} />
        <SearchFilter name="actor_username" label="User" type="text" />
        <SearchFilter
          name="action_prefix"
          label="Action"
          type="text"
          placeholder="request. or login.failed"
        />
        <DateFilter name="date_from" label="From" />
        <DateFilter name="date_to" label="To" />
      </FilterBar>
      <ListStatus
        error={error}
        isLoading={isLoading}
        rows={data?.results.length}
        empty="No events match."
      />
      <ListTable
        rows={data?.results}
        testId="audit-table"
        dense
        columns={[
          'When (UTC shown local)',
          'User',
          'Action',
          'Object',
          'Changes (old \u2192 new)',
          'Comment',
          'IP',
        ]}
      >
        {(event) => (
          <tr key={event.id}>
            <td>{formatDateTime(event.timestamp)}</td>
            <td>{event.actor_username || '—'}</td>
            <td>{event.action}</td>
            <td>
              {humanize(event.entity_type)} {event.entity_repr || event.entity_id}
            </td>
            <td>
              <ChangesList changes={event.changes} />
            </td>
            <td>{event.comment || '—'}</td>
            <td>{event.ip_address ?? '—'}</td>
          </tr>
        )}
      </ListTable>
      <ListPager list={list} pageSize={PAGE_SIZE} data={data} />
    </>
  );
}
