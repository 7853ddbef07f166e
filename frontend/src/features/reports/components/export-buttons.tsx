import { useState } from 'react';
import { errorText } from '@/components/ui/error-message';
import { useToast } from '@/components/ui/toast';
import { useServerEvents } from '@/contexts/WebSocketContext';
import {
  downloadReport,
  useCreateReport,
  type Report,
  type ReportFormat,
  type ReportKind,
} from '../api/reports';

/**
 * "Export CSV / XLSX" for a filtered list: the list's own filters go to a background export
 * (POST /api/reports/), whose progress arrives over the WebSocket; the file downloads from here
 * when it is ready, and stays on the Reports page.
 */
export function ExportButtons({
  report,
  filters,
}: {
  report: ReportKind;
  filters: Record<string, string | number | undefined>;
}) {
  const { notify } = useToast();
  const create = useCreateReport();
  const [current, setCurrent] = useState<Report | null>(null);

  useServerEvents((event) => {
    if (event.type !== 'report.progress' || !current || event.id !== current.id) return;
    setCurrent({
      ...current,
      done: event.done,
      total: event.total,
      status: (event.status as Report['status']) ?? current.status,
    });
  });

  const start = (format: ReportFormat) => {
    const clean: Record<string, string | number> = {};
    for (const [key, value] of Object.entries(filters)) {
      if (
        value !== undefined &&
        value !== '' &&
        key !== 'page' &&
        key !== 'page_size' &&
        key !== 'ordering'
      )
        clean[key] = value;
    }
    create.mutate(
      { report, format, filters: clean },
      {
        onSuccess: (created) => setCurrent(created),
        onError: (error) => notify(errorText(error), 'error'),
      },
    );
  };

  const pct =
    current && current.total ? Math.round((current.done / current.total) * 100) : current ? 0 : 0;
  return (
    <div className="export" role="group" aria-label="Export this list">
      <button
        type="button"
        className="btn"
        disabled={create.isPending}
        onClick={() => start('csv')}
      >
        Export CSV
      </button>
      <button
        type="button"
        className="btn"
        disabled={create.isPending}
        onClick={() => start('xlsx')}
      >
        Export XLSX
      </button>
      {current ? (
        <span className="export__status" role="status" data-testid="export-status">
          {current.status === 'done' ? (
            <button
              type="button"
              className="btn btn--primary"
              onClick={() =>
                void downloadReport(current).catch((e) => notify(errorText(e), 'error'))
              }
            >
              Download {current.format.toUpperCase()} ({current.total} rows)
            </button>
          ) : current.status === 'failed' ? (
            <span className="field__error">Export failed: {current.error}</span>
          ) : (
            <span>
              Exporting… {current.done}/{current.total || '?'} ({pct}%)
            </span>
          )}
        </span>
      ) : null}
    </div>
  );
}
