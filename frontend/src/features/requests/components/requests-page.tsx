import { Link } from 'react-router-dom';
import { FilterBar, SearchFilter, SelectFilter, valueOptions } from '@/components/list/filter-bar';
import { ListPager } from '@/components/list/list-pager';
import { ListStatus } from '@/components/list/list-status';
import { ListTable } from '@/components/list/list-table';
import { PageHeader, StatusBadge } from '@/components/ui/misc';
import { useCurrentUser } from '@/contexts/AuthContext';
import { formatDate, formatDateTime, humanize } from '@/lib/format';
import { can } from '@/lib/capabilities';
import { useListParams } from '@/lib/use-list-params';
import { REQUEST_STATUSES, REQUEST_TYPES, useRequests } from '../api/requests';

const PAGE_SIZE = 25;
const STATUSES = valueOptions(REQUEST_STATUSES, humanize);
/** The filters a tab narrows further. */
const FILTERS = ['status', 'request_type', 'search', 'overdue'] as const;

type View = 'mine' | 'approve' | 'execute' | 'receive' | 'all';

/** Server-side lists (segregation of duties applied by the API: never one's own request). */
function viewParams(view: View): Record<string, string | number | undefined> {
  switch (view) {
    case 'mine':
      return { mine: 'true' };
    case 'approve':
      return { awaiting_my_action: 'approve' };
    case 'execute':
      return { awaiting_my_action: 'execute' };
    case 'receive':
      return { awaiting_my_action: 'receive' };
    default:
      return {};
  }
}

export function RequestsPage() {
  const user = useCurrentUser();
  const defaultView: View = can(user, 'approve_requests')
    ? 'approve'
    : can(user, 'execute_requests')
      ? 'execute'
      : can(user, 'raise_requests')
        ? 'mine'
        : 'all';
  const list = useListParams();
  const view = (list.params.view as View) ?? defaultView;
  const tabs: { view: View; label: string; show: boolean }[] = [
    { view: 'mine', label: 'Mine', show: can(user, 'raise_requests') },
    { view: 'approve', label: 'To approve', show: can(user, 'approve_requests') },
    { view: 'execute', label: 'To execute', show: can(user, 'execute_requests') },
    { view: 'receive', label: 'Transfers to receive', show: can(user, 'execute_requests') },
    { view: 'all', label: 'All', show: true },
  ];
  const filters = {
    ...list.pick(FILTERS),
    ...viewParams(view),
    page: list.page,
    page_size: PAGE_SIZE,
    ordering: '-created_at',
  };
  const { data, error, isLoading } = useRequests(filters);

  return (
    <>
      <PageHeader
        title="Requests"
        actions={
          can(user, 'raise_requests') ? (
            <Link to="/requests/new" className="btn btn--primary">
              New request
            </Link>
          ) : null
        }
      />
      <div className="tabs" role="tablist" aria-label="Request lists">
        {tabs
          .filter((tab) => tab.show)
          .map((tab) => (
            <button
              key={tab.view}
              type="button"
              role="tab"
              aria-selected={view === tab.view}
              className={`tab ${view === tab.view ? 'is-active' : ''}`}
              onClick={() => list.setParam('view', tab.view)}
            >
              {tab.label}
            </button>
          ))}
      </div>
      <FilterBar list={list}>
        <SearchFilter placeholder="Number or purpose" />
        <SelectFilter name="request_type" label="Type" options={REQUEST_TYPES} />
        <SelectFilter
          name="status"
          label="Status"
          options={STATUSES}
          anyLabel={view === 'all' || view === 'mine' ? 'Any' : 'This list'}
        />
      </FilterBar>
      <ListStatus
        error={error}
        isLoading={isLoading}
        rows={data?.results.length}
        empty="No requests in this list."
      />
      <ListTable
        rows={data?.results}
        testId="requests-table"
        columns={['Number', 'Type', 'Status', 'Requester', 'Items', 'Purpose', 'Created']}
      >
        {(req) => (
          <tr key={req.id}>
            <td>
              <Link to={`/requests/${req.id}`}>{req.number}</Link>
            </td>
            <td>{humanize(req.request_type)}</td>
            <td>
              <StatusBadge status={req.status} />
              {req.is_overdue ? <span className="badge badge--overdue">Overdue</span> : null}
              {req.expected_return_date && req.status === 'issued' ? (
                <small className={req.is_overdue ? 'overdue' : 'muted'}>
                  {' '}
                  due {formatDate(req.expected_return_date)}
                </small>
              ) : null}
            </td>
            <td>{req.requester_name ?? req.requester}</td>
            <td>{req.items?.length ?? '—'}</td>
            <td className="truncate">{req.purpose}</td>
            <td>{formatDateTime(req.created_at)}</td>
          </tr>
        )}
      </ListTable>
      <ListPager list={list} pageSize={PAGE_SIZE} data={data} />
    </>
  );
}
