import { useState, type FormEvent } from 'react';
import { ErrorMessage, fieldError } from '@/components/ui/error-message';
import { Field } from '@/components/ui/field';
import {
  Card,
  DefinitionList,
  Empty,
  PageHeader,
  SCROLLABLE,
  StatusBadge,
} from '@/components/ui/misc';
import { useToast } from '@/components/ui/toast';
import { formatDateTime } from '@/lib/format';
import type { InventoryImport } from '@/lib/types';
import {
  downloadImportReport,
  useCommitImport,
  useImport,
  useImports,
  useUpload,
} from '../api/imports';

const COLUMNS =
  'legacy_number, department, location, description, document_number, document_title, document_type, record_date';

/** Load a legacy inventory: upload, see every row's errors, fix the file, upload again, commit. */
export function ImportsPage() {
  const [current, setCurrent] = useState<number | null>(null);
  const imports = useImports();
  return (
    <div>
      <PageHeader title="Legacy inventory import" />
      <UploadCard onUploaded={setCurrent} />
      {current !== null ? <ImportCard id={current} /> : null}
      <Card title="Earlier imports">
        {imports.data && imports.data.results.length === 0 ? <Empty>No imports yet.</Empty> : null}
        {imports.data && imports.data.results.length > 0 ? (
          <div className="table-wrap" {...SCROLLABLE}>
            <table className="table">
              <thead>
                <tr>
                  <th>File</th>
                  <th>Status</th>
                  <th>Rows</th>
                  <th>Crates</th>
                  <th>Uploaded</th>
                  <th />
                </tr>
              </thead>
              <tbody>
                {imports.data.results.map((item) => (
                  <tr key={item.id}>
                    <td>{item.file_name}</td>
                    <td>
                      <StatusBadge status={item.status} />
                    </td>
                    <td>{item.rows}</td>
                    <td>{item.crates}</td>
                    <td>{formatDateTime(item.created_at)}</td>
                    <td>
                      <button type="button" className="btn" onClick={() => setCurrent(item.id)}>
                        Show
                      </button>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        ) : null}
      </Card>
    </div>
  );
}

function UploadCard({ onUploaded }: { onUploaded: (id: number) => void }) {
  const upload = useUpload();
  const [file, setFile] = useState<File | null>(null);
  const submit = (event: FormEvent) => {
    event.preventDefault();
    if (!file) return;
    upload.mutate(file, { onSuccess: (created) => onUploaded(created.id) });
  };
  return (
    <Card title="Upload a spreadsheet">
      <p>
        CSV (UTF-8) or XLSX, one row per document, at most 50,000 rows. Columns:{' '}
        <code>{COLUMNS}</code>. Rows with the same legacy number form one crate; department,
        location (or its LOC- barcode) and document type by code; dates YYYY-MM-DD.
      </p>
      <form onSubmit={submit} className="form-grid">
        <Field label="File" required error={fieldError(upload.error, 'file')}>
          <input
            type="file"
            accept=".csv,.xlsx,text/csv,application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
            data-testid="import-file"
            onChange={(e) => setFile(e.target.files?.[0] ?? null)}
          />
        </Field>
        <ErrorMessage error={upload.error} handledFields={['file']} />
        <div>
          <button
            type="submit"
            className="btn btn--primary btn--big"
            disabled={!file || upload.isPending}
            data-testid="import-upload"
          >
            {upload.isPending ? 'Uploading…' : 'Upload and check'}
          </button>
        </div>
      </form>
    </Card>
  );
}

function Progress({ item }: { item: InventoryImport }) {
  const progress = item.progress;
  if (!progress || !['validating', 'importing'].includes(item.status)) return null;
  const percent = progress.total ? Math.round((100 * progress.done) / progress.total) : 0;
  return (
    <div className="progress" data-testid="import-progress">
      <progress max={100} value={percent} aria-label={`${progress.phase}: ${percent}%`} />{' '}
      {progress.phase} {progress.done.toLocaleString()} of {progress.total.toLocaleString()} rows
    </div>
  );
}

function ImportCard({ id }: { id: number }) {
  const { notify } = useToast();
  const { data: item, error } = useImport(id);
  const commit = useCommitImport(id);
  if (!item) return <ErrorMessage error={error} />;
  return (
    <Card title={`Import of ${item.file_name}`} actions={<StatusBadge status={item.status} />}>
      <div data-testid="import-status" data-status={item.status}>
        <DefinitionList
          items={[
            ['Status', item.status],
            ['Rows', item.rows.toLocaleString()],
            ['Crates', item.crates.toLocaleString()],
            ['Documents', item.documents.toLocaleString()],
            ['SHA-256', <code key="sha">{item.sha256}</code>],
            ['Failure', item.failure || null],
          ]}
        />
      </div>
      <Progress item={item} />
      {item.status === 'invalid' ? (
        <>
          <p className="field__error" role="alert">
            {item.error_count} problem(s) found; nothing was imported. Fix the file and upload it
            again.
          </p>
          <div className="table-wrap" {...SCROLLABLE}>
            <table className="table" data-testid="import-errors">
              <thead>
                <tr>
                  <th>Row</th>
                  <th>Column</th>
                  <th>Problem</th>
                </tr>
              </thead>
              <tbody>
                {item.errors.map((row, index) => (
                  <tr key={`${row.row}-${row.field}-${index}`}>
                    <td>{row.row}</td>
                    <td>{row.field}</td>
                    <td>{row.message}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
      {item.preview.length > 0 && item.status !== 'done' ? (
        <>
          <h3>First crates</h3>
          <div className="table-wrap" {...SCROLLABLE}>
            <table className="table" data-testid="import-preview">
              <thead>
                <tr>
                  <th>Legacy number</th>
                  <th>Department</th>
                  <th>Location</th>
                  <th>Documents</th>
                  <th>Rows</th>
                </tr>
              </thead>
              <tbody>
                {item.preview.map((crate) => (
                  <tr key={crate.legacy_number}>
                    <td>{crate.legacy_number}</td>
                    <td>{crate.department}</td>
                    <td>{crate.location_path}</td>
                    <td>{crate.documents}</td>
                    <td>{crate.rows.join(', ')}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
      <div className="count-actions">
        {item.status === 'validated' ? (
          <button
            type="button"
            className="btn btn--primary btn--big"
            data-testid="import-commit"
            disabled={commit.isPending}
            onClick={() =>
              commit.mutate(undefined, {
                onSuccess: () => notify('Import started.', 'success'),
              })
            }
          >
            Import {item.crates.toLocaleString()} crates
          </button>
        ) : null}
        {item.status === 'done' ? (
          <p className="scan__ok" role="status">
            {item.crates.toLocaleString()} crates and {item.documents.toLocaleString()} documents
            imported.
          </p>
        ) : null}
        <button
          type="button"
          className="btn btn--big"
          onClick={() => void downloadImportReport(id)}
        >
          Row-by-row report (CSV)
        </button>
      </div>
      <ErrorMessage error={commit.error} />
    </Card>
  );
}
