import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import {
  CheckboxFilter,
  FilterBar,
  SearchFilter,
  SelectFilter,
  valueOptions,
  type FilterOption,
} from '@/components/list/filter-bar';
import { ListPager } from '@/components/list/list-pager';
import { ListStatus } from '@/components/list/list-status';
import { ListTable } from '@/components/list/list-table';
import { PageHeader, StatusBadge } from '@/components/ui/misc';
import { useCurrentUser } from '@/contexts/AuthContext';
import { departmentOptions, useDepartments } from '@/features/admin/api/master-data';
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
const STATUSES = valueOptions(['draft', 'stored', 'withdrawn', 'in_transit', 'destroyed']);
const LEGAL_HOLD: FilterOption[] = [
  { value: 'true', label: 'On hold' },
  { value: 'false', label: 'Not on hold' },
];
const SORTS: FilterOption[] = [
  { value: '-created_at', label: 'Newest first' },
  { value: 'created_at', label: 'Oldest first' },
  { value: 'number', label: 'Number' },
  { value: 'retention_until', label: 'Retention date' },
];
/** The filters the list and its export share (location, within and unit come from links). */
const FILTERS = [
  'search',
  'status',
  'department',
  'legal_hold',
  'due_for_destruction',
  'location',
  'within',
  'unit',
] as const;

export function CratesPage() {
  const user = useCurrentUser();
  const list = useListParams({ ordering: '-created_at' });
  const filters = list.pick(FILTERS);
  const { data, error, isLoading, isFetching } = useCrates({
    ...filters,
    page: list.page,
    page_size: PAGE_SIZE,
    ordering: list.params.ordering,
  });
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
            <ExportButtons report="inventory" filters={filters} />
            {can(user, 'edit_crates') ? (
              <Link to="/crates/new" className="btn btn--primary">
                New crate
              </Link>
            ) : null}
          </>
        }
      />
      <ScanBox />
      <FilterBar list={list} updating={isFetching}>
        <SearchFilter placeholder="Number, description, document number or title" />
        <SelectFilter name="status" label="Status" options={STATUSES} />
        <SelectFilter
          name="department"
          label="Department"
          options={departmentOptions(departments.data?.results)}
        />
        <SelectFilter name="legal_hold" label="Legal hold" options={LEGAL_HOLD} />
        <CheckboxFilter name="due_for_destruction" label="Due for destruction" />
        <SelectFilter name="ordering" label="Sort" options={SORTS} anyLabel={null} />
      </FilterBar>
      <ListStatus
        error={error}
        isLoading={isLoading}
        rows={data?.results.length}
        empty="No crates match."
      />
      {selected.size > 0 ? (
        <SelectionBar selected={selected} onClear={() => setSelected(new Map())} />
      ) : null}
      <ListTable
        rows={data?.results}
        testId="crates-table"
        columns={[
          {
            className: 'table__select',
            label: (
              <input
                type="checkbox"
                aria-label="Select every crate on this page"
                checked={pageSelected > 0 && pageSelected === pageCrates.length}
                ref={(box) => {
                  if (box) box.indeterminate = pageSelected > 0 && pageSelected < pageCrates.length;
                }}
                onChange={togglePage}
              />
            ),
          },
          'Number',
          'Status',
          'Department',
          'Location',
          'Retention until',
          'Description',
        ]}
      >
        {(crate) => (
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
              {crate.legal_hold ? <span className="badge badge--hold">Legal hold</span> : null}
            </td>
            <td>
              <StatusBadge status={crate.status} />
            </td>
            <td>{crate.department_name ?? crate.department}</td>
            <td>{crate.location_path || '—'}</td>
            <td>{formatDate(crate.retention_until)}</td>
            <td className="truncate">{crate.description}</td>
          </tr>
        )}
      </ListTable>
      <ListPager list={list} pageSize={PAGE_SIZE} data={data} />
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
