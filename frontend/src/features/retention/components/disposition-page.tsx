import { useState } from 'react';
import { Link, useNavigate } from 'react-router-dom';
import { FilterBar, SelectFilter, type FilterOption } from '@/components/list/filter-bar';
import { ListPager } from '@/components/list/list-pager';
import { ListStatus } from '@/components/list/list-status';
import { ListTable } from '@/components/list/list-table';
import { PageHeader } from '@/components/ui/misc';
import { useCurrentUser } from '@/contexts/AuthContext';
import { useCreateRequest } from '@/features/requests/api/requests';
import { SignatureDialog } from '@/features/requests/components/signature-dialog';
import { can } from '@/lib/capabilities';
import { formatDate, todayIso } from '@/lib/format';
import { useListParams } from '@/lib/use-list-params';
import { useDisposition, useExtendRetention } from '../api/retention';

const PAGE_SIZE = 50;
const WINDOWS: FilterOption[] = [
  { value: '0', label: 'today' },
  { value: '30', label: '30 days' },
  { value: '90', label: '90 days' },
  { value: '365', label: 'a year' },
];

export function DispositionPage() {
  const user = useCurrentUser();
  const navigate = useNavigate();
  const list = useListParams({ within_days: '90' });
  const { data, error, isLoading } = useDisposition({
    within_days: list.params.within_days,
    page: list.page,
    page_size: PAGE_SIZE,
  });
  const [selected, setSelected] = useState<number[]>([]);
  const [extending, setExtending] = useState(false);
  const [retainUntil, setRetainUntil] = useState('');
  const createRequest = useCreateRequest();
  const extend = useExtendRetention();
  const toggle = (id: number) =>
    setSelected((current) =>
      current.includes(id) ? current.filter((x) => x !== id) : [...current, id],
    );
  const due = data?.results.filter((crate) => crate.due && selected.includes(crate.id)) ?? [];
  const raise = () =>
    createRequest.mutate(
      {
        request_type: 'destruction',
        purpose: `Disposition review ${todayIso()}`,
        items: due.map((crate) => ({ crate: crate.id })),
      },
      { onSuccess: (request) => navigate(`/requests/${request.id}`) },
    );
  return (
    <>
      <PageHeader title="Disposition review" />
      <FilterBar list={list}>
        <SelectFilter name="within_days" label="Due within" options={WINDOWS} anyLabel={null} />
        {can(user, 'raise_requests') ? (
          <button
            type="button"
            className="btn btn--primary"
            disabled={!due.length || createRequest.isPending}
            onClick={raise}
          >
            Raise destruction request ({due.length})
          </button>
        ) : null}
        {can(user, 'extend_retention') ? (
          <label>
            Keep until{' '}
            <input
              type="date"
              name="retain-until"
              value={retainUntil}
              onChange={(e) => setRetainUntil(e.target.value)}
            />
          </label>
        ) : null}
        {can(user, 'extend_retention') ? (
          <button
            type="button"
            className="btn"
            disabled={!selected.length || !retainUntil}
            onClick={() => setExtending(true)}
          >
            Extend retention ({selected.length})
          </button>
        ) : null}
      </FilterBar>
      <ListStatus
        error={error ?? createRequest.error}
        isLoading={isLoading}
        rows={data?.results.length}
        empty="Nothing comes due in this window."
      />
      <ListTable
        rows={data?.results}
        testId="disposition"
        columns={[
          'Select',
          'Crate',
          'Retention until',
          'Department',
          'Documents (type, record date)',
        ]}
      >
        {(crate) => (
          <tr key={crate.id}>
            <td>
              <input
                type="checkbox"
                aria-label={`Select ${crate.number}`}
                checked={selected.includes(crate.id)}
                onChange={() => toggle(crate.id)}
              />
            </td>
            <td>
              <Link to={`/crates/${crate.id}`}>{crate.number}</Link>{' '}
              {crate.due ? <span className="badge">Due</span> : null}
            </td>
            <td>{formatDate(crate.retention_until)}</td>
            <td>{crate.department_name}</td>
            <td>
              {crate.documents
                .map(
                  (doc) =>
                    `${doc.number} (${doc.document_type_code}, ${formatDate(doc.record_date)})`,
                )
                .join('; ')}
            </td>
          </tr>
        )}
      </ListTable>
      <ListPager list={list} pageSize={PAGE_SIZE} data={data} />
      <SignatureDialog
        open={extending}
        title="Extend retention"
        meaning="retention_extended"
        signerName={user.full_name || user.username}
        recordLabel={`${selected.length} crate(s) until ${retainUntil || '…'}`}
        commentRequired
        confirmLabel="Sign and extend"
        onClose={() => setExtending(false)}
        onSign={({ password, comment }) =>
          extend
            .mutateAsync({ crates: selected, retain_until: retainUntil, reason: comment, password })
            .then(() => setSelected([]))
        }
      />
    </>
  );
}
