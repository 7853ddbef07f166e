import { Link } from 'react-router-dom';
import { ErrorMessage } from '@/components/ui/error-message';
import { Card, Loading, PageHeader } from '@/components/ui/misc';
import { useCurrentUser } from '@/contexts/AuthContext';
import { can } from '@/lib/roles';
import { useDashboard, type Dashboard } from '../api/dashboard';
import { BarChart, toBars, type Bar } from './bar-chart';

function pick(data: Dashboard, ...names: string[]): unknown {
  for (const name of names) {
    const parts = name.split('.');
    let value: unknown = data;
    for (const part of parts) {
      value =
        value && typeof value === 'object' ? (value as Record<string, unknown>)[part] : undefined;
    }
    if (value !== undefined && value !== null) return value;
  }
  return undefined;
}

function countOf(value: unknown): number | null {
  if (typeof value === 'number') return value;
  if (Array.isArray(value)) return value.length;
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.count === 'number') return record.count;
    if (Array.isArray(record.results)) return record.results.length;
  }
  return null;
}

function utilizationBars(value: unknown): Bar[] {
  if (Array.isArray(value)) return toBars(value);
  if (value && typeof value === 'object') {
    const record = value as Record<string, unknown>;
    if (typeof record.capacity === 'number' && typeof record.occupied === 'number') {
      const nested = record.locations ?? record.rooms ?? record.by_location;
      const rows = Array.isArray(nested) ? toBars(nested) : [];
      return rows.length
        ? rows
        : [{ label: 'All locations', value: record.occupied, max: record.capacity }];
    }
  }
  return [];
}

/** `{storage: {draft: 1, submitted: 2}}` → one bar per type with its total. */
function requestsByType(value: unknown): Bar[] {
  if (value && typeof value === 'object' && !Array.isArray(value)) {
    const entries = Object.entries(value as Record<string, unknown>);
    if (entries.every(([, v]) => v && typeof v === 'object')) {
      return entries.map(([type, statuses]) => ({
        label: type.charAt(0).toUpperCase() + type.slice(1),
        value: Object.values(statuses as Record<string, unknown>).reduce<number>(
          (sum, n) => sum + (typeof n === 'number' ? n : 0),
          0,
        ),
      }));
    }
  }
  return toBars(value);
}

export function DashboardPage() {
  const user = useCurrentUser();
  const { data, error, isLoading } = useDashboard();

  if (isLoading) return <Loading />;
  const d = data ?? {};

  const work: { label: string; value: number | null; to: string; show: boolean; testId: string }[] =
    [
      {
        label: 'Awaiting my approval',
        value: countOf(
          pick(
            d,
            'my_pending_approvals',
            'pending_approvals',
            'awaiting_my_approval',
            'my_work.awaiting_approval',
          ),
        ),
        to: '/requests?view=approve',
        show: can.approve(user),
        testId: 'card-approvals',
      },
      {
        label: 'To execute',
        value: countOf(pick(d, 'to_execute', 'awaiting_execution', 'my_work.to_execute')),
        to: '/requests?view=execute',
        show: can.execute(user),
        testId: 'card-execute',
      },
      {
        label: 'Overdue returns',
        value: countOf(pick(d, 'overdue_withdrawals', 'overdue_returns', 'my_work.overdue')),
        to: '/requests?request_type=withdrawal&overdue=true',
        show: true,
        testId: 'card-overdue',
      },
      {
        label: 'Due for destruction',
        value: countOf(
          pick(
            d,
            'due_for_destruction',
            'crates_due_for_destruction',
            'my_work.due_for_destruction',
          ),
        ),
        to: '/crates?due_for_destruction=true',
        show: true,
        testId: 'card-destruction',
      },
      {
        label: 'My open requests',
        value: countOf(pick(d, 'my_open_requests', 'my_requests')),
        to: '/requests?view=mine',
        show: can.manageCrates(user),
        testId: 'card-mine',
      },
    ];

  return (
    <>
      <PageHeader title="Dashboard" />
      <ErrorMessage error={error} />
      <div className="cards" aria-label="My work">
        {work
          .filter((item) => item.show)
          .map((item) => (
            <Link key={item.label} to={item.to} className="stat" data-testid={item.testId}>
              <span className="stat__value">{item.value ?? '—'}</span>
              <span className="stat__label">{item.label}</span>
            </Link>
          ))}
      </div>
      <div className="grid-2">
        <Card title="Crates by status">
          <BarChart
            title="Crates by status"
            bars={toBars(pick(d, 'crates_by_status', 'crates.by_status', 'crates'))}
          />
        </Card>
        <Card title="Requests by status">
          <BarChart
            title="Requests by status"
            bars={toBars(pick(d, 'requests_by_status', 'requests.by_status'))}
          />
        </Card>
        <Card title="Requests by type">
          <BarChart
            title="Requests by type"
            bars={requestsByType(
              pick(d, 'requests_by_type', 'requests.by_type', 'requests_by_type_status'),
            )}
          />
        </Card>
        <Card title="Location utilization">
          <BarChart
            title="Location utilization"
            bars={utilizationBars(pick(d, 'location_utilization', 'utilization', 'locations'))}
          />
        </Card>
      </div>
    </>
  );
}
