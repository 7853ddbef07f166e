import { useState } from 'react';
import { Link } from 'react-router-dom';
import { FilterBar, SelectFilter, type FilterOption } from '@/components/list/filter-bar';
import { ListPager } from '@/components/list/list-pager';
import { ListStatus } from '@/components/list/list-status';
import { ListTable } from '@/components/list/list-table';
import { PageHeader, StatusBadge } from '@/components/ui/misc';
import { useToast } from '@/components/ui/toast';
import { useCurrentUser } from '@/contexts/AuthContext';
import { AllocationDialog } from '@/features/requests/components/allocation-dialog';
import { useReceiveSendback, useSendbacks } from '@/features/requests/api/requests';
import { formatDateTime } from '@/lib/format';
import type { SendBack } from '@/lib/types';
import { useListParams } from '@/lib/use-list-params';

const PAGE_SIZE = 25;
const STATUSES: FilterOption[] = [
  { value: 'pending', label: 'Pending' },
  { value: 'received', label: 'Received' },
];

export function SendbacksPage() {
  const user = useCurrentUser();
  const { notify } = useToast();
  // Pending by default: what the store head still has to receive.
  const list = useListParams({ status: 'pending' });
  const { data, error, isLoading } = useSendbacks({
    ...list.pick(['status']),
    page: list.page,
    page_size: PAGE_SIZE,
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
      <FilterBar list={list}>
        <SelectFilter name="status" label="Status" options={STATUSES} />
      </FilterBar>
      <ListStatus
        error={error}
        isLoading={isLoading}
        rows={data?.results.length}
        empty="No send-backs."
      />
      <ListTable
        rows={data?.results}
        columns={[
          'Number',
          'Withdrawal',
          'Status',
          'Items',
          'Returned by',
          'Received',
          'Condition notes',
          { label: 'Actions', hidden: true },
        ]}
      >
        {(sb) => (
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
                <button type="button" className="btn btn--primary" onClick={() => setReceiving(sb)}>
                  Receive
                </button>
              ) : null}
            </td>
          </tr>
        )}
      </ListTable>
      <ListPager list={list} pageSize={PAGE_SIZE} data={data} />
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
