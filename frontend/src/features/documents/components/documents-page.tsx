import { Link } from 'react-router-dom';
import { ErrorMessage } from '@/components/ui/error-message';
import { Empty, Loading, PageHeader, StatusBadge, SCROLLABLE } from '@/components/ui/misc';
import { Pagination } from '@/components/ui/pagination';
import { SearchInput } from '@/components/ui/search-input';
import { useDepartments, useDocumentTypes } from '@/features/admin/api/master-data';
import { ExportButtons } from '@/features/reports/components/export-buttons';
import { formatDate } from '@/lib/format';
import { useListParams } from '@/lib/use-list-params';
import { useDocuments } from '../api/documents';

const PAGE_SIZE = 25;
const STATUSES = ['in_storage', 'withdrawn', 'destroyed'];

/** Every document the user may see, searchable by number and title; the filters live in the URL. */
export function DocumentsPage() {
  const { params, setParam, page } = useListParams();
  const listFilters = {
    search: params.search,
    document_type: params.document_type,
    department: params.department,
    record_date_from: params.record_date_from,
    record_date_to: params.record_date_to,
    status: params.status,
  };
  const { data, error, isLoading, isFetching } = useDocuments({
    ...listFilters,
    page,
    page_size: PAGE_SIZE,
    ordering: params.ordering ?? 'number',
  });
  const departments = useDepartments({ page_size: 100, ordering: 'code' });
  const types = useDocumentTypes({ page_size: 100, ordering: 'code' });

  return (
    <>
      <PageHeader
        title="Documents"
        actions={<ExportButtons report="documents" filters={listFilters} />}
      />
      <div className="filters" role="group" aria-label="Filters">
        <label>
          Search
          <SearchInput
            type="search"
            value={params.search ?? ''}
            placeholder="Number or title"
            onSearch={(v) => setParam('search', v)}
          />
        </label>
        <label>
          Type
          <select
            value={params.document_type ?? ''}
            onChange={(e) => setParam('document_type', e.target.value)}
          >
            <option value="">Any</option>
            {types.data?.results.map((t) => (
              <option key={t.id} value={t.id}>
                {t.code} · {t.name}
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
          Record date from
          <input
            type="date"
            value={params.record_date_from ?? ''}
            onChange={(e) => setParam('record_date_from', e.target.value)}
          />
        </label>
        <label>
          Record date to
          <input
            type="date"
            value={params.record_date_to ?? ''}
            onChange={(e) => setParam('record_date_to', e.target.value)}
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
          Sort
          <select
            value={params.ordering ?? 'number'}
            onChange={(e) => setParam('ordering', e.target.value)}
          >
            <option value="number">Number</option>
            <option value="title">Title</option>
            <option value="-record_date">Newest record first</option>
            <option value="record_date">Oldest record first</option>
            <option value="retention_until">Retention date</option>
          </select>
        </label>
        {isFetching ? <span className="muted">Updating…</span> : null}
      </div>
      <ErrorMessage error={error} />
      {isLoading ? <Loading /> : null}
      {data && data.results.length === 0 ? <Empty>No documents match.</Empty> : null}
      {data && data.results.length > 0 ? (
        <div className="table-wrap" {...SCROLLABLE}>
          <table className="table" data-testid="documents-table">
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Title</th>
                <th scope="col">Type</th>
                <th scope="col">Record date</th>
                <th scope="col">Retention until</th>
                <th scope="col">Status</th>
                <th scope="col">Crate</th>
                <th scope="col">Department</th>
              </tr>
            </thead>
            <tbody>
              {data.results.map((doc) => (
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
                    {doc.crate_legal_hold ? (
                      <span className="badge badge--hold">Legal hold</span>
                    ) : null}
                  </td>
                  <td>
                    {doc.unit_code} {doc.department_name}
                  </td>
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
