import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { SearchInput } from '@/components/ui/search-input';
import { ErrorMessage } from '@/components/ui/error-message';
import { Empty, Loading, PageHeader, SCROLLABLE, StatusBadge } from '@/components/ui/misc';
import { Pagination } from '@/components/ui/pagination';
import { useCurrentUser } from '@/contexts/AuthContext';
import { useDepartments } from '@/features/admin/api/master-data';
import { ExportButtons } from '@/features/reports/components/export-buttons';
import { formatDate } from '@/lib/format';
import { can } from '@/lib/capabilities';
import { useListParams } from '@/lib/use-list-params';
import { MAX_LABELS } from '@/features/labels/api/labels';
import { PrintLabels } from '@/features/labels/components/print-labels';
import type { Crate } from '@/lib/types';
import { useCrates } from '../api/crates';
import { ScanBox } from './scan-box';

const PAGE_SIZE = 25;
const STATUSES = ['draft', 'stored', 'withdrawn', 'in_transit', 'destroyed'];

export function CratesPage() {
  const user = useCurrentUser();
  const { params, setParam, page } = useListParams();
  const filters = {
    page,
    page_size: PAGE_SIZE,
    search: params.search,
    status: params.status,
    department: params.department,
    legal_hold: params.legal_hold,
    due_for_destruction: params.due_for_destruction,
    location: params.location,
    within: params.within,
    unit: params.unit,
    ordering: params.ordering ?? '-created_at',
  };
  const { data, error, isLoading, isFetching } = useCrates(filters);
  const exportFilters = {
    search: params.search,
    status: params.status,
    department: params.department,
    legal_hold: params.legal_hold,
    due_for_destruction: params.due_for_destruction,
    location: params.location,
    within: params.within,
    unit: params.unit,
  };
  const departments = useDepartments({ page_size: 100, ordering: 'code' });
  // The selection outlives paging and filtering: pick crates from several pages, then act.
  const [selected, setSelected] = useState<Map<number, Crate>>(new Map());
  const pageCrates = data?.results ?? [];
  const pageSelected = pageCrates.filter((crate) => selected.has(crate.id)).length;
  const toggle = (crate: Crate) =>
    setSelected((current) => {
      const next = new Map(current);
      if (next.has(crate.id)) next.delete(crate.id);
      else next.set(crate.id, crate);
      return next;
    });
  const togglePage = () =>
    setSelected((current) => {
      const next = new Map(current);
      const all = pageCrates.every((crate) => next.has(crate.id));
      for (const crate of pageCrates) {
        if (all) next.delete(crate.id);
        else next.set(crate.id, crate);
      }
      return next;
    });

  return (
    <>
      <PageHeader
        title="Crates"
        actions={
          <>
            <ExportButtons report="inventory" filters={exportFilters} />
            {can(user, 'edit_crates') ? (
              <Link to="/crates/new" className="btn btn--primary">
                New crate
              </Link>
            ) : null}
          </>
        }
      />
      <ScanBox />
      <div className="filters" role="group" aria-label="Filters">
        <label>
          Search
          <SearchInput
            type="search"
            value={params.search ?? ''}
            placeholder="Number, description, document number or title"
            onSearch={(v) => setParam('search', v)}
          />
        </label>
        <label>
          Status
          <select value={params.status ?? ''} onChange={(e) => setParam('status', e.target.value)}>
            <option value="">Any</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace('_', ' ')}
              </option>
            ))}
          </select>
        </label>
        <label>
          Department
          <select
            value={params.department ?? ''}
            onChange={(e) => setParam('department', e.target.value)}
          >
            <option value="">Any</option>
            {departments.data?.results.map((d) => (
              <option key={d.id} value={d.id}>
                {d.unit_code ? `${d.unit_code} ` : ''}
                {d.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Legal hold
          <select
            value={params.legal_hold ?? ''}
            onChange={(e) => setParam('legal_hold', e.target.value)}
          >
            <option value="">Any</option>
            <option value="true">On hold</option>
            <option value="false">Not on hold</option>
          </select>
        </label>
        <label className="checkbox">
          <input
            type="checkbox"
            checked={params.due_for_destruction === 'true'}
            onChange={(e) => setParam('due_for_destruction', e.target.checked ? 'true' : undefined)}
          />
          Due for destruction
        </label>
        <label>
          Sort
          <select
            value={params.ordering ?? '-created_at'}
            onChange={(e) => setParam('ordering', e.target.value)}
          >
            <option value="-created_at">Newest first</option>
            <option value="created_at">Oldest first</option>
            <option value="number">Number</option>
            <option value="retention_until">Retention date</option>
          </select>
        </label>
        {isFetching ? <span className="muted">Updating…</span> : null}
      </div>
      <ErrorMessage error={error} />
      {isLoading ? <Loading /> : null}
      {data && data.results.length === 0 ? <Empty>No crates match.</Empty> : null}
      {selected.size > 0 ? (
        <SelectionBar selected={selected} onClear={() => setSelected(new Map())} />
      ) : null}
      {data && data.results.length > 0 ? (
        <div className="table-wrap" {...SCROLLABLE}>
          <table className="table" data-testid="crates-table">
            <thead>
              <tr>
                <th scope="col" className="table__select">
                  <input
                    type="checkbox"
                    aria-label="Select every crate on this page"
                    checked={pageSelected > 0 && pageSelected === pageCrates.length}
                    ref={(box) => {
                      if (box)
                        box.indeterminate = pageSelected > 0 && pageSelected < pageCrates.length;
                    }}
                    onChange={togglePage}
                  />
                </th>
                <th scope="col">Number</th>
                <th scope="col">Status</th>
                <th scope="col">Department</th>
                <th scope="col">Location</th>
                <th scope="col">Retention until</th>
                <th scope="col">Description</th>
              </tr>
            </thead>
            <tbody>
              {data.results.map((crate) => (
                <tr key={crate.id} className={selected.has(crate.id) ? 'is-selected' : undefined}>
                  <td className="table__select">
                    <input
                      type="checkbox"
                      aria-label={`Select ${crate.number}`}
                      checked={selected.has(crate.id)}
                      onChange={() => toggle(crate)}
                    />
                  </td>
                  <td>
                    <Link to={`/crates/${crate.id}`}>{crate.number}</Link>
                    {crate.legal_hold ? (
                      <span className="badge badge--hold">Legal hold</span>
                    ) : null}
                  </td>
                  <td>
                    <StatusBadge status={crate.status} />
                  </td>
                  <td>{crate.department_name ?? crate.department}</td>
                  <td>{crate.location_path || '—'}</td>
                  <td>{formatDate(crate.retention_until)}</td>
                  <td className="truncate">{crate.description}</td>
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

/** What can be done with the selected crates: print their labels, raise one request. */
function SelectionBar({
  selected,
  onClear,
}: {
  selected: Map<number, Crate>;
  onClear: () => void;
}) {
  const navigate = useNavigate();
  const user = useCurrentUser();
  const crates = [...selected.values()];
  const ids = crates.map((crate) => crate.id);
  // The request type the crates allow (their allowed_actions); the form lets the user change it.
  const type = crates.every((crate) => crate.allowed_actions.includes('request_withdrawal'))
    ? 'withdrawal'
    : 'storage';
  return (
    <div
      className="selection-bar"
      role="region"
      aria-label="Selected crates"
      data-testid="selection-bar"
    >
      <strong>{selected.size} selected</strong>
      {selected.size > MAX_LABELS ? (
        <span className="field__error">At most {MAX_LABELS} labels at once.</span>
      ) : (
        <PrintLabels target={{ crates: ids }} count={selected.size} />
      )}
      {can(user, 'raise_requests') ? (
        <button
          type="button"
          className="btn btn--primary"
          onClick={() => navigate(`/requests/new?type=${type}&crates=${ids.join(',')}`)}
        >
          New request from selection
        </button>
      ) : null}
      <button type="button" className="btn btn--ghost" onClick={onClear}>
        Clear selection
      </button>
    </div>
  );
}
