import { Link } from 'react-router-dom';
import { SearchInput } from '@/components/ui/search-input';
import { ErrorMessage } from '@/components/ui/error-message';
import { Empty, Loading, PageHeader, SCROLLABLE, StatusBadge } from '@/components/ui/misc';
import { Pagination } from '@/components/ui/pagination';
import { useCurrentUser } from '@/contexts/AuthContext';
import { formatDate, formatDateTime, humanize } from '@/lib/format';
import { can } from '@/lib/capabilities';
import { useListParams } from '@/lib/use-list-params';
import { REQUEST_STATUSES, REQUEST_TYPES, useRequests } from '../api/requests';

const PAGE_SIZE = 25;

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
  const { params, setParam, page } = useListParams();
  const view = (params.view as View) ?? defaultView;
  const tabs: { view: View; label: string; show: boolean }[] = [
    { view: 'mine', label: 'Mine', show: can(user, 'raise_requests') },
    { view: 'approve', label: 'To approve', show: can(user, 'approve_requests') },
    { view: 'execute', label: 'To execute', show: can(user, 'execute_requests') },
    { view: 'receive', label: 'Transfers to receive', show: can(user, 'execute_requests') },
    { view: 'all', label: 'All', show: true },
  ];
  const filters = {
    page,
    page_size: PAGE_SIZE,
    ordering: '-created_at',
    ...viewParams(view),
    ...(params.status ? { status: params.status } : {}),
    request_type: params.request_type,
    search: params.search,
    overdue: params.overdue,
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
              onClick={() => setParam('view', tab.view)}
            >
              {tab.label}
            </button>
          ))}
      </div>
      <div className="filters" role="group" aria-label="Filters">
        <label>
          Search
          <SearchInput
            type="search"
            value={params.search ?? ''}
            placeholder="Number or purpose"
            onSearch={(v) => setParam('search', v)}
          />
        </label>
        <label>
          Type
          <select
            value={params.request_type ?? ''}
            onChange={(e) => setParam('request_type', e.target.value)}
          >
            <option value="">Any</option>
            {REQUEST_TYPES.map((t) => (
              <option key={t.value} value={t.value}>
                {t.label}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status
          <select value={params.status ?? ''} onChange={(e) => setParam('status', e.target.value)}>
            <option value="">{view === 'all' || view === 'mine' ? 'Any' : 'This list'}</option>
            {REQUEST_STATUSES.map((s) => (
              <option key={s} value={s}>
                {humanize(s)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <ErrorMessage error={error} />
      {isLoading ? <Loading /> : null}
      {data && data.results.length === 0 ? <Empty>No requests in this list.</Empty> : null}
      {data && data.results.length > 0 ? (
        <div className="table-wrap" {...SCROLLABLE}>
          <table className="table" data-testid="requests-table">
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Type</th>
                <th scope="col">Status</th>
                <th scope="col">Requester</th>
                <th scope="col">Items</th>
                <th scope="col">Purpose</th>
                <th scope="col">Created</th>
              </tr>
            </thead>
            <tbody>
              {data.results.map((req) => (
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
