import { useState, type FormEvent } from 'react';
import { useListParams } from '@/lib/use-list-params';
import { Link, useNavigate } from 'react-router-dom';
import { FilterBar, SelectFilter, valueOptions } from '@/components/list/filter-bar';
import { ListStatus } from '@/components/list/list-status';
import { ListTable } from '@/components/list/list-table';
import { Scanner, type ScannerMessage } from '@/components/scanner/scanner';
import { notFoundMessage, resolveScan } from '@/components/scanner/resolve-scan';
import { ErrorMessage, errorText, fieldError } from '@/components/ui/error-message';
import { Field } from '@/components/ui/field';
import { Card, PageHeader, StatusBadge } from '@/components/ui/misc';
import { useCurrentUser } from '@/contexts/AuthContext';
import { useLocations } from '@/features/storage/api/locations';
import { can } from '@/lib/capabilities';
import { formatDateTime, humanize } from '@/lib/format';
import { useCounts, useOpenCount } from '../api/counts';

const COUNT_STATUSES = valueOptions(['open', 'submitted', 'reviewed', 'cancelled'], humanize);

/** Cycle counts of the user's units; a Store Head opens one over a room, rack or shelf. */
export function CountsPage() {
  const user = useCurrentUser();
  // The status filter lives in the URL, like every list's (lib/use-list-params).
  const list = useListParams();
  const { data, error, isLoading } = useCounts({ ...list.pick(['status']), page_size: 50 });
  return (
    <div>
      <PageHeader title="Cycle counts" />
      {can(user, 'count_crates') ? <OpenCountCard /> : null}
      <Card title="Counts">
        <FilterBar list={list}>
          <SelectFilter name="status" label="Status" options={COUNT_STATUSES} />
        </FilterBar>
        <ListStatus
          error={error}
          isLoading={isLoading}
          rows={data?.results.length}
          empty="No counts yet."
        />
        <ListTable
          rows={data?.results}
          testId="counts-table"
          columns={['Number', 'Location', 'Status', 'Counted by', 'Opened', 'Reviewed by']}
        >
          {(count) => (
            <tr key={count.id}>
              <td>
                <Link to={`/counts/${count.id}`}>{count.number}</Link>
              </td>
              <td>{count.location_path}</td>
              <td>
                <StatusBadge status={count.status} />
              </td>
              <td>{count.counted_by_name}</td>
              <td>{formatDateTime(count.opened_at)}</td>
              <td>{count.reviewed_by_name ?? '—'}</td>
            </tr>
          )}
        </ListTable>
      </Card>
    </div>
  );
}

function OpenCountCard() {
  const navigate = useNavigate();
  const locations = useLocations({ is_active: true });
  const open = useOpenCount();
  const [location, setLocation] = useState('');
  const [comment, setComment] = useState('');
  const [scanMessage, setScanMessage] = useState<ScannerMessage | null>(null);
  // The store head stands at the shelf: its label picks what to count.
  const onScan = async (code: string) => {
    setScanMessage(null);
    try {
      const result = await resolveScan(code);
      const place = (locations.data ?? []).find(
        (item) => result?.kind === 'location' && item.id === result.id,
      );
      if (!result) setScanMessage({ tone: 'error', text: notFoundMessage(code) });
      else if (!place)
        setScanMessage({
          tone: 'error',
          text:
            result.kind === 'location'
              ? `${result.location_path} is not an active location.`
              : `${result.number_or_code} is a ${result.kind}; scan a room's, rack's or shelf's label.`,
        });
      else {
        setLocation(String(place.id));
        setScanMessage({ tone: 'ok', text: `${place.path} chosen.` });
      }
    } catch (error) {
      setScanMessage({ tone: 'error', text: errorText(error) });
    }
  };
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!location) return;
    open.mutate(
      { location: Number(location), comment },
      { onSuccess: (count) => navigate(`/counts/${count.id}`) },
    );
  };
  return (
    <Card title="Open a count">
      <form onSubmit={submit} className="form-grid">
        <Field
          label="Room, rack or shelf to count"
          required
          error={fieldError(open.error, 'location')}
          hint="The count covers the location and everything inside it."
        >
          <select
            value={location}
            onChange={(e) => setLocation(e.target.value)}
            data-testid="count-location"
          >
            <option value="">Choose…</option>
            {(locations.data ?? []).map((item) => (
              <option key={item.id} value={item.id}>
                {item.path}
              </option>
            ))}
          </select>
        </Field>
        <Scanner
          className="scan--compact"
          label="Or scan its label"
          placeholder="LOC-GOA-…"
          buttonLabel="Choose"
          message={scanMessage}
          onCode={onScan}
        />
        <Field label="Comment">
          <input value={comment} onChange={(e) => setComment(e.target.value)} maxLength={4000} />
        </Field>
        <ErrorMessage error={open.error} handledFields={['location']} />
        <div>
          <button type="submit" className="btn btn--primary btn--big" disabled={open.isPending}>
            Open the count
          </button>
        </div>
      </form>
    </Card>
  );
}
