import { useState } from 'react';
import { Link } from 'react-router-dom';
import { ErrorMessage } from '@/components/ui/error-message';
import { Empty, Loading, PageHeader, SCROLLABLE, StatusBadge } from '@/components/ui/misc';
import { Pagination } from '@/components/ui/pagination';
import { useToast } from '@/components/ui/toast';
import { useCurrentUser } from '@/contexts/AuthContext';
import { AllocationDialog } from '@/features/requests/components/allocation-dialog';
import { useReceiveSendback, useSendbacks } from '@/features/requests/api/requests';
import { formatDateTime } from '@/lib/format';
import type { SendBack } from '@/lib/types';
import { useListParams } from '@/lib/use-list-params';

const PAGE_SIZE = 25;

export function SendbacksPage() {
  const user = useCurrentUser();
  const { notify } = useToast();
  const { params, setParam, page } = useListParams({ status: 'pending' });
  const { data, error, isLoading } = useSendbacks({
    page,
    page_size: PAGE_SIZE,
    status: params.status || undefined,
    ordering: '-created_at',
  });
  const receive = useReceiveSendback();
  const [receiving, setReceiving] = useState<SendBack | null>(null);

  return (
    <>
      <PageHeader title="Send-backs" />
      <p className="muted">
        Items coming back from a withdrawal. Create one from an issued withdrawal request; the store
        head receives it here.
      </p>
      <div className="filters">
        <label>
          Status
          <select
            value={params.status ?? ''}
            onChange={(e) => setParam('status', e.target.value || '')}
          >
            <option value="">Any</option>
            <option value="pending">Pending</option>
            <option value="received">Received</option>
          </select>
        </label>
      </div>
      <ErrorMessage error={error} />
      {isLoading ? <Loading /> : null}
      {data && data.results.length === 0 ? <Empty>No send-backs.</Empty> : null}
      {data && data.results.length > 0 ? (
        <div className="table-wrap" {...SCROLLABLE}>
          <table className="table">
            <thead>
              <tr>
                <th scope="col">Number</th>
                <th scope="col">Withdrawal</th>
                <th scope="col">Status</th>
                <th scope="col">Items</th>
                <th scope="col">Returned by</th>
                <th scope="col">Received</th>
                <th scope="col">Condition notes</th>
                <th scope="col">
                  <span className="sr-only">Actions</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.results.map((sb) => (
                <tr key={sb.id}>
                  <td>{sb.number}</td>
                  <td>
                    <Link to={`/requests/${sb.request}`}>{sb.request_number ?? sb.request}</Link>
                  </td>
                  <td>
                    <StatusBadge status={sb.status} />
                  </td>
                  <td>
                    {sb.items
                      .map(
                        (i) =>
                          `${i.crate_number ?? i.crate}${i.document ? ` / ${i.document_number ?? i.document}` : ''}`,
                      )
                      .join(', ')}
                  </td>
                  <td>{sb.returned_by_name ?? '—'}</td>
                  <td>
                    {sb.received_at
                      ? `${sb.received_by_name ?? ''} ${formatDateTime(sb.received_at)}`
                      : '—'}
                  </td>
                  <td className="truncate">{sb.condition_notes || '—'}</td>
                  <td>
                    {sb.allowed_actions.includes('receive') ? (
                      <button
                        type="button"
                        className="btn btn--primary"
                        onClick={() => setReceiving(sb)}
                      >
                        Receive
                      </button>
                    ) : null}
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
      <AllocationDialog
        open={receiving !== null}
        optional
        title={`Receive ${receiving?.number ?? ''}`}
        crates={Array.from(
          new Map(
            (receiving?.items ?? [])
              .filter((i) => !i.document)
              .map((i) => [i.crate, { id: i.crate, number: i.crate_number ?? String(i.crate) }]),
          ).values(),
        )}
        items={(receiving?.items ?? []).map((i) =>
          i.document
            ? `${i.crate_number ?? i.crate} / ${i.document_number ?? i.document}`
            : `${i.crate_number ?? i.crate} (whole crate)`,
        )}
        unit={receiving?.unit ?? user.unit ?? undefined}
        confirmLabel="Receive into storage"
        onClose={() => setReceiving(null)}
        onConfirm={(allocations) =>
          receive
            .mutateAsync({ id: receiving!.id, allocations })
            .then(() => notify('Send-back received.', 'success'))
        }
      />
    </>
  );
}
