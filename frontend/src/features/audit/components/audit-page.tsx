import { useState } from 'react';
import { SearchInput } from '@/components/ui/search-input';
import { ErrorMessage, errorText } from '@/components/ui/error-message';
import { Empty, Loading, PageHeader, SCROLLABLE } from '@/components/ui/misc';
import { Pagination } from '@/components/ui/pagination';
import { useCurrentUser } from '@/contexts/AuthContext';
import { can } from '@/lib/capabilities';
import { formatDateTime, humanize } from '@/lib/format';
import { useListParams } from '@/lib/use-list-params';
import { exportAuditCsv, useAudit, useVerifyChain, type VerifyResult } from '../api/audit';
import { ChangesList } from './audit-timeline';
import { AuditReviews } from './audit-reviews';

const PAGE_SIZE = 50;
/** entity_type values written by the server (model names). */
const ENTITY_TYPES: [string, string][] = [
  ['request', 'Request'],
  ['crate', 'Crate'],
  ['document', 'Document'],
  ['sendback', 'Send-back'],
  ['storagelocation', 'Storage location'],
  ['signature', 'Signature'],
  ['user', 'User'],
  ['unit', 'Unit'],
  ['department', 'Department'],
  ['documenttype', 'Document type'],
  ['report', 'Report'],
  ['auditreview', 'Audit review'],
];

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
  const { params, setParam, page } = useListParams();
  const filters = {
    page,
    page_size: PAGE_SIZE,
    search: params.search,
    entity_type: params.entity_type,
    actor_username: params.actor_username,
    action_prefix: params.action_prefix,
    date_from: params.date_from,
    date_to: params.date_to,
  };
  const { data, error, isLoading } = useAudit(filters);
  const verify = useVerifyChain();
  const [exportError, setExportError] = useState<string | null>(null);
  const { page: _page, page_size: _size, ...exportFilters } = filters;

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
                  void exportAuditCsv(exportFilters).catch((e) => setExportError(errorText(e)));
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
      <div className="filters" role="group" aria-label="Filters">
        <label>
          Search
          <SearchInput
            type="search"
            value={params.search ?? ''}
            onSearch={(v) => setParam('search', v)}
          />
        </label>
        <label>
          Object type
          <select
            value={params.entity_type ?? ''}
            onChange={(e) => setParam('entity_type', e.target.value)}
          >
            <option value="">Any</option>
            {ENTITY_TYPES.map(([value, label]) => (
              <option key={value} value={value}>
                {label}
              </option>
            ))}
          </select>
        </label>
        <label>
          User
          <SearchInput
            value={params.actor_username ?? ''}
            onSearch={(v) => setParam('actor_username', v)}
          />
        </label>
        <label>
          Action
          <SearchInput
            value={params.action_prefix ?? ''}
            placeholder="request. or login.failed"
            onSearch={(v) => setParam('action_prefix', v)}
          />
        </label>
        <label>
          From
          <input
            type="date"
            value={params.date_from ?? ''}
            onChange={(e) => setParam('date_from', e.target.value)}
          />
        </label>
        <label>
          To
          <input
            type="date"
            value={params.date_to ?? ''}
            onChange={(e) => setParam('date_to', e.target.value)}
          />
        </label>
      </div>
      <ErrorMessage error={error} />
      {isLoading ? <Loading /> : null}
      {data && data.results.length === 0 ? <Empty>No events match.</Empty> : null}
      {data && data.results.length > 0 ? (
        <div className="table-wrap" {...SCROLLABLE}>
          <table className="table table--dense" data-testid="audit-table">
            <thead>
              <tr>
                <th scope="col">When (UTC shown local)</th>
                <th scope="col">User</th>
                <th scope="col">Action</th>
                <th scope="col">Object</th>
                <th scope="col">Changes (old → new)</th>
                <th scope="col">Comment</th>
                <th scope="col">IP</th>
              </tr>
            </thead>
            <tbody>
              {data.results.map((event) => (
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
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
      {data ? (
        <Pagination
          page={page}
          pageSize={PAGE_SIZE}
          count={data.count}
          countExact={data.count_exact}
          hasNext={data.next !== null}
          onPage={(p) => setParam('page', String(p))}
        />
      ) : null}
    </>
  );
}
