import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useState, type FormEvent } from 'react';
import { ErrorMessage, errorText } from '@/components/ui/error-message';
import { Field } from '@/components/ui/field';
import { Card, Empty, Loading, PageHeader, SCROLLABLE, StatusBadge } from '@/components/ui/misc';
import { useToast } from '@/components/ui/toast';
import { useCurrentUser } from '@/contexts/AuthContext';
import { useServerEvents } from '@/contexts/WebSocketContext';
import { unitsQuery } from '@/features/admin/api/master-data';
import { can } from '@/lib/capabilities';
import { formatDateTime } from '@/lib/format';
import type { Page } from '@/lib/types';
import {
  REPORT_KINDS,
  downloadReport,
  reportsKey,
  useCreateReport,
  useReports,
  type Report,
  type ReportFormat,
  type ReportKind,
} from '../api/reports';

function Progress({ report }: { report: Report }) {
  const pct = report.total ? Math.round((report.done / report.total) * 100) : 0;
  if (report.status === 'done' || report.status === 'failed') return null;
  return (
    <div className="capacity">
      <div
        className="capacity__bar"
        role="progressbar"
        aria-valuemin={0}
        aria-valuemax={100}
        aria-valuenow={pct}
        aria-label={`Report ${report.id} progress`}
      >
        <div className="capacity__fill capacity__fill--ok" style={{ width: `${pct}%` }} />
      </div>
      <span className="capacity__text">
        {report.done}/{report.total || '?'}
      </span>
    </div>
  );
}

/** The exports `user` may ask for: the audit trail only with the right to read it (docs/roles.md). */
export function reportKindsFor(user: Parameters<typeof can>[0]) {
  return REPORT_KINDS.filter((k) => k.value !== 'audit' || can(user, 'read_audit'));
}

/** What each report's date range filters on (docs/background.md). */
const DATE_MEANING: Record<ReportKind, string> = {
  inventory: 'Crates created in this range',
  documents: 'Documents with a record date in this range',
  audit: 'Events in this range',
  overdue: 'Withdrawals due back in this range',
  destruction_due: 'Crates whose retention ends in this range',
};

export function ReportsPage() {
  const user = useCurrentUser();
  const kinds = reportKindsFor(user);
  const queryClient = useQueryClient();
  const { notify } = useToast();
  const { data, error, isLoading } = useReports();
  const create = useCreateReport();
  const [kind, setKind] = useState<ReportKind>('inventory');
  const [format, setFormat] = useState<ReportFormat>('csv');
  const allUnits = can(user, 'see_all_units');
  const units = useQuery({ ...unitsQuery(), enabled: allUnits });
  const [unit, setUnit] = useState('');
  const [dateFrom, setDateFrom] = useState('');
  const [dateTo, setDateTo] = useState('');

  // Progress arrives over the WebSocket; patch the cached row, refetch when it finishes.
  useServerEvents((event) => {
    if (event.type !== 'report.progress') return;
    queryClient.setQueryData<Page<Report>>(reportsKey, (page) =>
      page
        ? {
            ...page,
            results: page.results.map((r) =>
              r.id === event.id
                ? {
                    ...r,
                    done: event.done,
                    total: event.total,
                    status: (event.status as Report['status']) ?? r.status,
                  }
                : r,
            ),
          }
        : page,
    );
    if (event.status === 'done' || event.status === 'failed') {
      void queryClient.invalidateQueries({ queryKey: reportsKey });
    }
  });

  const submit = (e: FormEvent) => {
    e.preventDefault();
    const filters: Record<string, string | number> = {};
    if (unit) filters.unit = Number(unit);
    // The documents report's date range is the record date (docs/background.md).
    const [fromKey, toKey] =
      kind === 'documents' ? ['record_date_from', 'record_date_to'] : ['date_from', 'date_to'];
    if (dateFrom) filters[fromKey] = dateFrom;
    if (dateTo) filters[toKey] = dateTo;
    create.mutate(
      { report: kind, format, filters },
      { onSuccess: () => notify('Export started; it appears below when ready.', 'info') },
    );
  };

  return (
    <>
      <PageHeader title="Reports and exports" />
      <Card title="New export">
        <form className="form-grid" onSubmit={submit}>
          <Field label="Report">
            <select value={kind} onChange={(e) => setKind(e.target.value as ReportKind)}>
              {kinds.map((k) => (
                <option key={k.value} value={k.value}>
                  {k.label}
                </option>
              ))}
            </select>
          </Field>
          {allUnits ? (
            <Field label="Unit">
              <select value={unit} onChange={(e) => setUnit(e.target.value)}>
                <option value="">Every unit</option>
                {units.data?.results.map((u) => (
                  <option key={u.id} value={u.id}>
                    {u.code} — {u.name}
                  </option>
                ))}
              </select>
            </Field>
          ) : null}
          <Field label="From" hint={DATE_MEANING[kind]}>
            <input type="date" value={dateFrom} onChange={(e) => setDateFrom(e.target.value)} />
          </Field>
          <Field label="To">
            <input type="date" value={dateTo} onChange={(e) => setDateTo(e.target.value)} />
          </Field>
          <Field label="Format">
            <select value={format} onChange={(e) => setFormat(e.target.value as ReportFormat)}>
              <option value="csv">CSV</option>
              <option value="xlsx">Excel (XLSX)</option>
            </select>
          </Field>
          <div className="form-actions" style={{ alignItems: 'flex-end' }}>
            <button type="submit" className="btn btn--primary" disabled={create.isPending}>
              Generate
            </button>
          </div>
        </form>
        <ErrorMessage error={create.error} />
      </Card>
      <ErrorMessage error={error} />
      {isLoading ? <Loading /> : null}
      {data && data.results.length === 0 ? <Empty>No exports yet.</Empty> : null}
      {data && data.results.length > 0 ? (
        <div className="table-wrap" {...SCROLLABLE}>
          <table className="table" data-testid="reports-table">
            <thead>
              <tr>
                <th scope="col">Report</th>
                <th scope="col">Format</th>
                <th scope="col">Status</th>
                <th scope="col">Progress</th>
                <th scope="col">Requested</th>
                <th scope="col">
                  <span className="sr-only">Download</span>
                </th>
              </tr>
            </thead>
            <tbody>
              {data.results.map((report) => (
                <tr key={report.id}>
                  <td>
                    {REPORT_KINDS.find((k) => k.value === report.report)?.label ?? report.report}
                  </td>
                  <td>{report.format.toUpperCase()}</td>
                  <td>
                    <StatusBadge status={report.status} />
                    {report.error ? <div className="field__error">{report.error}</div> : null}
                  </td>
                  <td>
                    <Progress report={report} />
                  </td>
                  <td>{formatDateTime(report.created_at)}</td>
                  <td>
                    {report.status === 'done' ? (
                      <button
                        type="button"
                        className="btn"
                        onClick={() =>
                          void downloadReport(report).catch((e) => notify(errorText(e), 'error'))
                        }
                      >
                        Download
                      </button>
                    ) : null}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </>
  );
}
