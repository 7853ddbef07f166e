import { Link } from 'react-router-dom';
import { ErrorMessage } from '@/components/ui/error-message';
import { Card, Loading, PageHeader, SCROLLABLE, StatusBadge } from '@/components/ui/misc';
import { useCurrentUser } from '@/contexts/AuthContext';
import { formatDate, humanize } from '@/lib/format';
import { can } from '@/lib/capabilities';
import type { DashboardUnitFigures } from '@/lib/types';
import { useDashboard, type Dashboard } from '../api/dashboard';
import { BarChart, toBars, type Bar } from './bar-chart';

interface Summary {
  id: number;
  number: string;
  request_type: string;
  status: string;
  requester_name?: string;
  expected_return_date?: string | null;
}

function countOf(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) return value.length;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.count === 'number') return record.count;
  }
  return null;
}

function topOf(value: unknown): Summary[] {
  if (value && typeof value === 'object' && Array.isArray((value as { top?: unknown }).top)) {
    return (value as { top: Summary[] }).top;
  }
  return Array.isArray(value) ? (value as Summary[]) : [];
}

/** `{storage: {draft: 1, submitted: 2}}` → totals per type and per status. */
export function splitRequests(value: unknown): { byType: Bar[]; byStatus: Bar[] } {
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return { byType: toBars(value), byStatus: [] };
  }
  const byStatus = new Map<string, number>();
  const byType: Bar[] = [];
  for (const [type, statuses] of Object.entries(value as Record<string, unknown>)) {
    if (typeof statuses === 'number') {
      byType.push({ label: humanize(type), value: statuses });
      continue;
    }
    let total = 0;
    for (const [status, count] of Object.entries((statuses ?? {}) as Record<string, unknown>)) {
      if (typeof count !== 'number') continue;
      total += count;
      byStatus.set(status, (byStatus.get(status) ?? 0) + count);
    }
    byType.push({ label: humanize(type), value: total });
  }
  return {
    byType,
    byStatus: Array.from(byStatus, ([status, count]) => ({
      label: humanize(status),
      value: count,
    })),
  };
}

function utilizationBars(value: unknown): Bar[] {
  if (!Array.isArray(value)) return [];
  return value
    .filter((row): row is Record<string, unknown> => !!row && typeof row === 'object')
    .filter((row) => typeof row.capacity === 'number' && (row.capacity as number) > 0)
    .map((row) => ({
      label: `${row.unit_code ? `${String(row.unit_code)} ` : ''}${String(row.name ?? row.path ?? row.code)}`,
      value: Number(row.occupied ?? 0),
      max: Number(row.capacity),
    }));
}

function WorkList({
  items,
  empty,
  overdue = false,
}: {
  items: Summary[];
  empty: string;
  overdue?: boolean;
}) {
  if (items.length === 0) return <p className="muted">{empty}</p>;
  return (
    <ul className="plain-list worklist">
      {items.map((item) => (
        <li key={item.id}>
          <Link to={`/requests/${item.id}`}>{item.number}</Link> · {humanize(item.request_type)}{' '}
          <StatusBadge status={item.status} />
          {item.requester_name ? <span className="muted"> · {item.requester_name}</span> : null}
          {item.expected_return_date ? (
            <span className={overdue ? 'overdue' : 'muted'}>
              {' '}
              · due {formatDate(item.expected_return_date)}
            </span>
          ) : null}
        </li>
      ))}
    </ul>
  );
}

type UnitFigures = DashboardUnitFigures;

/** The System Administrator's figures per unit (empty for everyone else). */
function ByUnit({ rows }: { rows: UnitFigures[] }) {
  if (rows.length === 0) return null;
  return (
    <Card title="By unit">
      <div className="table-wrap" {...SCROLLABLE}>
        <table className="table" data-testid="dashboard-by-unit">
          <thead>
            <tr>
              <th scope="col">Unit</th>
              <th scope="col">Crates stored</th>
              <th scope="col">Crates out</th>
              <th scope="col">Open requests</th>
              <th scope="col">Awaiting approval</th>
              <th scope="col">Overdue returns</th>
              <th scope="col">Due for destruction</th>
              <th scope="col">Places used</th>
            </tr>
          </thead>
          <tbody>
            {rows.map((row) => (
              <tr key={row.unit}>
                <th scope="row">
                  {row.unit_code} <span className="muted">{row.unit_name}</span>
                </th>
                <td>{row.crates_by_status.stored ?? 0}</td>
                <td>{row.crates_by_status.withdrawn ?? 0}</td>
                <td>{row.open_requests}</td>
                <td>{row.pending_approvals}</td>
                <td className={row.overdue_withdrawals ? 'overdue' : undefined}>
                  {row.overdue_withdrawals}
                </td>
                <td>
                  <Link to={`/crates?due_for_destruction=true&unit=${row.unit}`}>
                    {row.due_for_destruction}
                  </Link>
                </td>
                <td>
                  {row.occupied}/{row.capacity} ({row.utilization}%)
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </Card>
  );
}

export function DashboardPage() {
  const user = useCurrentUser();
  const { data, error, isLoading } = useDashboard();

  if (isLoading) return <Loading />;
  const d: Dashboard = data ?? {};
  const requests = splitRequests(d.requests_by_type);

  const work = [
    {
      label: 'Awaiting my approval',
      key: 'pending_approvals',
      to: '/requests?view=approve',
      show: can(user, 'approve_requests'),
      empty: 'Nothing waits for your approval.',
    },
    {
      label: 'To execute',
      key: 'to_execute',
      to: '/requests?view=execute',
      show: can(user, 'execute_requests'),
      empty: 'No approved requests to carry out.',
    },
    {
      label: 'Transfers to receive',
      key: 'to_receive',
      to: '/requests?view=receive',
      show: can(user, 'execute_requests'),
      empty: 'No transfers on the way.',
    },
    {
      label: 'Overdue returns',
      key: 'overdue_withdrawals',
      to: '/requests?view=all&overdue=true',
      show: true,
      empty: 'No withdrawal is overdue.',
    },
  ].filter((item) => item.show);

  return (
    <>
      <PageHeader title="Dashboard" />
      <ErrorMessage error={error} />
      <div className="cards" aria-label="My work">
        {work.map((item) => (
          <Link key={item.key} to={item.to} className="stat" data-testid={`card-${item.key}`}>
            <span className="stat__value">{countOf(d[item.key]) ?? '—'}</span>
            <span className="stat__label">{item.label}</span>
          </Link>
        ))}
        <Link
          to="/crates?due_for_destruction=true"
          className="stat"
          data-testid="card-due_for_destruction"
        >
          <span className="stat__value">{countOf(d.due_for_destruction) ?? '—'}</span>
          <span className="stat__label">Due for destruction</span>
        </Link>
      </div>
      <div className="grid-2">
        {work.map((item) => (
          <Card
            key={item.key}
            title={item.label}
            actions={
              <Link to={item.to} className="btn btn--ghost">
                Open list
              </Link>
            }
          >
            <WorkList
              items={topOf(d[item.key])}
              empty={item.empty}
              overdue={item.key === 'overdue_withdrawals'}
            />
          </Card>
        ))}
      </div>
      <ByUnit rows={(d.by_unit as UnitFigures[] | undefined) ?? []} />
      <div className="grid-2">
        <Card title="Crates by status">
          <BarChart title="Crates by status" bars={toBars(d.crates_by_status)} />
        </Card>
        <Card title="Requests by status">
          <BarChart title="Requests by status" bars={requests.byStatus} />
        </Card>
        <Card title="Requests by type">
          <BarChart title="Requests by type" bars={requests.byType} />
        </Card>
        <Card title="Location utilization (rooms)">
          <BarChart title="Location utilization" bars={utilizationBars(d.location_utilization)} />
        </Card>
      </div>
    </>
  );
}
