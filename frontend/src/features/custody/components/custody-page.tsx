import { Link } from 'react-router-dom';
import { CheckboxFilter, FilterBar } from '@/components/list/filter-bar';
import { ListPager } from '@/components/list/list-pager';
import { ListStatus } from '@/components/list/list-status';
import { ListTable } from '@/components/list/list-table';
import { PageHeader } from '@/components/ui/misc';
import { formatDate, formatDateTime } from '@/lib/format';
import { useListParams } from '@/lib/use-list-params';
import { useCustody, useCustodyPeople } from '../api/custody';

const PAGE_SIZE = 50;
const VIEWS = [
  { value: 'people', label: 'Who has what' },
  { value: 'mine', label: 'Out to me' },
  { value: 'items', label: 'Everything out' },
];

/** A due date, red and labelled when it has passed (overdue looks the same everywhere). */
export function DueDate({ date, overdue }: { date: string | null | undefined; overdue: boolean }) {
  return overdue ? (
    <span className="overdue">
      {formatDate(date)} <span className="badge badge--overdue">Overdue</span>
    </span>
  ) : (
    <span>{formatDate(date)}</span>
  );
}

function PeopleTable() {
  const { data, error, isLoading } = useCustodyPeople();
  return (
    <>
      <ListStatus error={error} isLoading={isLoading} rows={data?.length} empty="Nothing is out." />
      <ListTable
        rows={data}
        testId="custody-people"
        columns={['Person', 'Unit', 'Crates out', 'Documents out', 'Overdue', 'Next due']}
      >
        {(person) => (
          <tr key={person.requester}>
            <td>
              <Link to={`/custody?view=items&requester=${person.requester}`}>
                {person.requester_name || person.requester_username}
              </Link>
            </td>
            <td>{person.unit_code}</td>
            <td>{person.crates}</td>
            <td>{person.documents}</td>
            <td className={person.overdue ? 'overdue' : undefined}>{person.overdue}</td>
            <td>
              <DueDate date={person.next_due} overdue={person.overdue > 0} />
            </td>
          </tr>
        )}
      </ListTable>
    </>
  );
}

function ItemsTable({ filters }: { filters: Record<string, string | number | undefined> }) {
  const list = useListParams();
  const { data, error, isLoading } = useCustody({
    ...filters,
    page: list.page,
    page_size: PAGE_SIZE,
  });
  return (
    <>
      <FilterBar list={list}>
        <CheckboxFilter name="overdue" label="Overdue only" />
        {list.params.requester ? (
          <button
            type="button"
            className="btn btn--ghost"
            onClick={() => list.setParam('requester', undefined)}
          >
            Everyone
          </button>
        ) : null}
      </FilterBar>
      <ListStatus
        error={error}
        isLoading={isLoading}
        rows={data?.results.length}
        empty="Nothing is out."
      />
      <ListTable
        rows={data?.results}
        testId="custody-items"
        columns={['Person', 'Crate', 'Document', 'Request', 'Issued', 'Due back', 'Taken from']}
      >
        {(item) => (
          <tr key={item.id} className={item.is_overdue ? 'row--overdue' : undefined}>
            <td>{item.requester_name || item.requester_username}</td>
            <td>
              <Link to={`/crates/${item.crate}`}>{item.crate_number}</Link>
            </td>
            <td>
              {item.document_number
                ? `${item.document_number} · ${item.document_title}`
                : 'Whole crate'}
            </td>
            <td>
              <Link to={`/requests/${item.request}`}>{item.request_number}</Link>
              {item.on_pending_sendback ? <span className="badge">Being returned</span> : null}
            </td>
            <td>{formatDateTime(item.issued_at)}</td>
            <td>
              <DueDate date={item.expected_return_date} overdue={item.is_overdue} />
            </td>
            <td>{item.taken_from ?? '—'}</td>
          </tr>
        )}
      </ListTable>
      <ListPager list={list} pageSize={PAGE_SIZE} data={data} />
    </>
  );
}

/** Custody: who has which crates and documents out, with due dates; what is out to me. */
export function CustodyPage() {
  const { params, setParam } = useListParams();
  const view = params.view ?? 'people';
  return (
    <>
      <PageHeader title="Custody" />
      <div className="tabs" role="group" aria-label="View">
        {VIEWS.map((v) => (
          <button
            key={v.value}
            type="button"
            className={`btn ${view === v.value ? 'btn--primary' : ''}`}
            aria-pressed={view === v.value}
            onClick={() => setParam('view', v.value === 'people' ? undefined : v.value)}
          >
            {v.label}
          </button>
        ))}
      </div>
      {view === 'people' ? <PeopleTable /> : null}
      {view === 'mine' ? <ItemsTable filters={{ mine: 'true', overdue: params.overdue }} /> : null}
      {view === 'items' ? (
        <ItemsTable filters={{ requester: params.requester, overdue: params.overdue }} />
      ) : null}
    </>
  );
}
