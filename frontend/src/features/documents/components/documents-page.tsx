import { Link } from 'react-router-dom';
import {
  DateFilter,
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
import {
  departmentOptions,
  useDepartments,
  useDocumentTypes,
} from '@/features/admin/api/master-data';
import { ExportButtons } from '@/features/reports/components/export-buttons';
import { formatDate } from '@/lib/format';
import { useListParams } from '@/lib/use-list-params';
import { useDocuments } from '../api/documents';

const PAGE_SIZE = 25;
const STATUSES = valueOptions(['in_storage', 'withdrawn', 'destroyed']);
const SORTS: FilterOption[] = [
  { value: 'number', label: 'Number' },
  { value: 'title', label: 'Title' },
  { value: '-record_date', label: 'Newest record first' },
  { value: 'record_date', label: 'Oldest record first' },
  { value: 'retention_until', label: 'Retention date' },
];
/** The filters the list and its export share. */
const FILTERS = [
  'search',
  'document_type',
  'department',
  'record_date_from',
  'record_date_to',
  'status',
] as const;

/** Every document the user may see, searchable by number and title; the filters live in the URL. */
export function DocumentsPage() {
  const list = useListParams({ ordering: 'number' });
  const filters = list.pick(FILTERS);
  const { data, error, isLoading, isFetching } = useDocuments({
    ...filters,
    page: list.page,
    page_size: PAGE_SIZE,
    ordering: list.params.ordering,
  });
  const departments = useDepartments({ page_size: 100, ordering: 'code' });
  const types = useDocumentTypes({ page_size: 100, ordering: 'code' });

  return (
    <>
      <PageHeader
        title="Documents"
        actions={<ExportButtons report="documents" filters={filters} />}
      />
      <FilterBar list={list} updating={isFetching}>
        <SearchFilter placeholder="Number or title" />
        <SelectFilter
          name="document_type"
          label="Type"
          options={(types.data?.results ?? []).map((t) => ({
            value: String(t.id),
            label: `${t.code} · ${t.name}`,
          }))}
        />
        <SelectFilter
          name="department"
          label="Department"
          options={departmentOptions(departments.data?.results)}
        />
        <DateFilter name="record_date_from" label="Record date from" />
        <DateFilter name="record_date_to" label="Record date to" />
        <SelectFilter name="status" label="Status" options={STATUSES} />
        <SelectFilter name="ordering" label="Sort" options={SORTS} anyLabel={null} />
      </FilterBar>
      <ListStatus
        error={error}
        isLoading={isLoading}
        rows={data?.results.length}
        empty="No documents match."
      />
      <ListTable
        rows={data?.results}
        testId="documents-table"
        columns={[
          'Number',
          'Title',
          'Type',
          'Record date',
          'Retention until',
          'Status',
          'Crate',
          'Department',
        ]}
      >
        {(doc) => (
          <tr key={doc.id}>
            <td>{doc.number}</td>
            <td>{doc.title}</td>
            <td>{doc.document_type_code}</td>
            <td>{formatDate(doc.record_date)}</td>
            <td>{formatDate(doc.retention_until)}</td>
            <td>
              <StatusBadge status={doc.status} />
            </td>
            <td>
              <Link to={`/crates/${doc.crate}`}>{doc.crate_number}</Link>
              {doc.crate_legal_hold ? <span className="badge badge--hold">Legal hold</span> : null}
            </td>
            <td>
              {doc.unit_code} {doc.department_name}
            </td>
          </tr>
        )}
      </ListTable>
      <ListPager list={list} pageSize={PAGE_SIZE} data={data} />
    </>
  );
}
