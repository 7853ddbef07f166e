import { useMemo, useState } from 'react';
import { Link, useParams } from 'react-router-dom';
import { Scanner, type ScannerMessage } from '@/components/scanner/scanner';
import { notFoundMessage, resolveScan } from '@/components/scanner/resolve-scan';
import { ErrorMessage, errorText } from '@/components/ui/error-message';
import {
  Card,
  DefinitionList,
  Loading,
  PageHeader,
  SCROLLABLE,
  StatusBadge,
} from '@/components/ui/misc';
import { useToast } from '@/components/ui/toast';
import { useCurrentUser } from '@/contexts/AuthContext';
import { SignatureDialog } from '@/features/requests/components/signature-dialog';
import { useLocations } from '@/features/storage/api/locations';
import { formatDateTime } from '@/lib/format';
import type { CountDetail, CountLine, CountResolutionInput, StorageLocation } from '@/lib/types';
import {
  downloadCountReport,
  useCancelCount,
  useCount,
  useReviewCount,
  useScan,
  useSubmitCount,
} from '../api/counts';

type Resolution = CountResolutionInput['action'];

/** The class a scanned crate fell into, as the count now says (blind while open). */
function classOf(count: CountDetail, crate: number | null): string {
  if (crate === null) return 'unknown';
  if (count.found.some((line) => line.crate === crate)) return 'found';
  if (count.misplaced.some((line) => line.crate === crate)) return 'misplaced';
  return 'unexpected';
}

const CLASS_TEXT: Record<string, string> = {
  found: 'found, where it belongs',
  misplaced: 'misplaced: it belongs elsewhere in this count',
  unexpected: 'not expected here',
  unknown: 'unknown code: not a crate of your unit',
};

/**
 * One count, made for a tablet held in one hand: scan the shelf's label, then its crates; the
 * tallies run as you go; big buttons. After the submit, the review with resolutions and the
 * signature.
 */
export function CountPage() {
  const id = Number(useParams().id);
  const { data: count, error, isLoading } = useCount(id);
  if (isLoading) return <Loading />;
  if (!count) return <ErrorMessage error={error} />;
  return <CountScreen count={count} />;
}

function CountScreen({ count }: { count: CountDetail }) {
  const actions = count.allowed_actions;
  return (
    <div className="count-screen">
      <PageHeader
        title={`Count ${count.number}`}
        actions={
          <span data-testid="count-status" data-status={count.status}>
            <StatusBadge status={count.status} />
          </span>
        }
      />
      <p className="count-screen__where">
        {count.location_path} · opened by {count.counted_by_name} {formatDateTime(count.opened_at)}
      </p>
      <Tallies count={count} />
      {actions.includes('scan') ? <Counting count={count} /> : null}
      <Actions count={count} />
      {actions.includes('review') ? <Review count={count} /> : null}
      <Results count={count} />
    </div>
  );
}

function Tallies({ count }: { count: CountDetail }) {
  const tiles: [string, number | string, string][] = [
    ['Scanned', count.scanned_count, 'scanned'],
    ['Found', count.found.length, 'found'],
    ['Misplaced', count.misplaced.length, 'misplaced'],
    ['Unexpected', count.unexpected.length, 'unexpected'],
    ['Unknown', count.unknown.length, 'unknown'],
  ];
  if (count.status !== 'open') {
    tiles.splice(1, 0, ['Expected', count.expected_count ?? 0, 'expected']);
    tiles.push(['Missing', count.missing.length, 'missing']);
  }
  return (
    <div className="tallies" data-testid="count-tallies" aria-live="polite">
      {tiles.map(([label, value, key]) => (
        <div key={key} className={`tally tally--${key}`} data-testid={`tally-${key}`}>
          <span className="tally__value">{value}</span>
          <span className="tally__label">{label}</span>
        </div>
      ))}
    </div>
  );
}

function Counting({ count }: { count: CountDetail }) {
  const locations = useLocations({ is_active: true });
  const scan = useScan(count.id);
  const [shelf, setShelf] = useState<StorageLocation | null>(null);
  const [shelfMessage, setShelfMessage] = useState<ScannerMessage | null>(null);
  const [crateMessage, setCrateMessage] = useState<ScannerMessage | null>(null);
  const [recent, setRecent] = useState<{ code: string; text: string }[]>([]);

  // Where a crate may be scanned: the counted location and everything inside it.
  const inside = useMemo(
    () =>
      (locations.data ?? []).filter(
        (item) => item.id === count.location || item.path.startsWith(`${count.location_path} / `),
      ),
    [locations.data, count.location, count.location_path],
  );

  const onShelf = async (code: string) => {
    try {
      const result = await resolveScan(code);
      if (!result) {
        setShelfMessage({ tone: 'error', text: notFoundMessage(code) });
        return;
      }
      const found = inside.find((item) => item.id === result.id);
      if (result.kind !== 'location' || !found) {
        setShelfMessage({
          tone: 'error',
          text:
            result.kind === 'location'
              ? `${result.location_path ?? code} is not inside ${count.location_path}.`
              : `${code} is a ${result.kind}: scan the shelf's label first.`,
        });
        return;
      }
      setShelf(found);
      setShelfMessage({ tone: 'ok', text: `Counting ${found.path}. Now scan its crates.` });
      setCrateMessage(null);
    } catch (error) {
      setShelfMessage({ tone: 'error', text: errorText(error) });
    }
  };

  const onCrate = async (code: string) => {
    if (!shelf) return;
    try {
      const result = await scan.mutateAsync({ location: shelf.id, code });
      const kind = classOf(result.count, result.crate ?? null);
      const label = result.number ?? result.code;
      const text = `${label}: ${CLASS_TEXT[kind]}${result.replaced ? ' (scanned again: this scan counts)' : ''}`;
      setCrateMessage({ tone: kind === 'found' ? 'ok' : 'error', text });
      setRecent((items) => [{ code: label, text }, ...items].slice(0, 8));
    } catch (error) {
      setCrateMessage({ tone: 'error', text: errorText(error) });
    }
  };

  return (
    <Card title="Count">
      <div className="count-steps">
        <div className="count-step">
          <h3>1. Shelf</h3>
          <Scanner
            label="Scan the shelf's label"
            placeholder="LOC-GOA-…"
            buttonLabel="Set shelf"
            onCode={onShelf}
            message={shelfMessage}
            className="scan--big"
          />
          <label className="field__label" htmlFor="count-shelf-pick">
            or choose it
          </label>
          <select
            id="count-shelf-pick"
            className="select--big"
            value={shelf?.id ?? ''}
            data-testid="count-shelf"
            onChange={(e) => {
              const picked = inside.find((item) => item.id === Number(e.target.value)) ?? null;
              setShelf(picked);
              setShelfMessage(picked ? { tone: 'ok', text: `Counting ${picked.path}.` } : null);
            }}
          >
            <option value="">Choose…</option>
            {inside.map((item) => (
              <option key={item.id} value={item.id}>
                {item.path}
              </option>
            ))}
          </select>
        </div>
        <div className="count-step">
          <h3>2. Crates {shelf ? `on ${shelf.name}` : ''}</h3>
          {shelf ? (
            <Scanner
              label="Scan each crate"
              buttonLabel="Count it"
              onCode={onCrate}
              message={crateMessage}
              autoFocus
              className="scan--big"
            />
          ) : (
            <p className="muted">Scan or choose the shelf first.</p>
          )}
          {recent.length > 0 ? (
            <ol className="recent-scans" data-testid="recent-scans">
              {recent.map((item, index) => (
                <li key={`${item.code}-${index}`}>{item.text}</li>
              ))}
            </ol>
          ) : null}
        </div>
      </div>
    </Card>
  );
}

function Actions({ count }: { count: CountDetail }) {
  const { notify } = useToast();
  const submit = useSubmitCount(count.id);
  const cancel = useCancelCount(count.id);
  const [confirming, setConfirming] = useState<'submit' | 'cancel' | null>(null);
  const actions = count.allowed_actions;
  return (
    <Card title="Finish">
      <div className="count-actions">
        {actions.includes('submit') ? (
          confirming === 'submit' ? (
            <button
              type="button"
              className="btn btn--primary btn--big"
              data-testid="count-submit-confirm"
              onClick={() =>
                submit.mutate(undefined, {
                  onSuccess: () => notify(`Count ${count.number} submitted for review.`, 'success'),
                  onSettled: () => setConfirming(null),
                })
              }
            >
              Yes, submit: no more scans
            </button>
          ) : (
            <button
              type="button"
              className="btn btn--primary btn--big"
              data-testid="count-submit"
              onClick={() => setConfirming('submit')}
            >
              Submit the count
            </button>
          )
        ) : null}
        {actions.includes('cancel') ? (
          confirming === 'cancel' ? (
            <button
              type="button"
              className="btn btn--danger btn--big"
              onClick={() =>
                cancel.mutate('', {
                  onSuccess: () => notify(`Count ${count.number} cancelled.`, 'success'),
                  onSettled: () => setConfirming(null),
                })
              }
            >
              Yes, cancel the count
            </button>
          ) : (
            <button type="button" className="btn btn--big" onClick={() => setConfirming('cancel')}>
              Cancel the count
            </button>
          )
        ) : null}
        <button
          type="button"
          className="btn btn--big"
          onClick={() => void downloadCountReport(count, 'pdf')}
        >
          Report (PDF)
        </button>
        <button
          type="button"
          className="btn btn--big"
          onClick={() => void downloadCountReport(count, 'csv')}
        >
          Report (CSV)
        </button>
        <Link to="/counts" className="btn btn--ghost btn--big">
          All counts
        </Link>
      </div>
      <ErrorMessage error={submit.error ?? cancel.error} />
      {count.status === 'open' ? (
        <p className="muted">
          A blind count: what is expected and what is missing show once the count is submitted.
        </p>
      ) : null}
    </Card>
  );
}

const OPTIONS: Record<string, Resolution[]> = {
  misplaced: ['relocate', 'ignore'],
  missing: ['mark_missing', 'ignore'],
  unexpected: ['relocate', 'ignore'],
};
const OPTION_TEXT: Record<Resolution, string> = {
  relocate: 'Relocate to where it was found',
  mark_missing: 'Mark missing',
  ignore: 'Ignore',
};

function Review({ count }: { count: CountDetail }) {
  const user = useCurrentUser();
  const { notify } = useToast();
  const review = useReviewCount(count.id);
  const [open, setOpen] = useState(false);
  const rows: { line: CountLine; kind: string }[] = [
    ...count.misplaced.map((line) => ({ line, kind: 'misplaced' })),
    ...count.missing.map((line) => ({ line, kind: 'missing' })),
    ...count.unexpected.map((line) => ({ line, kind: 'unexpected' })),
  ];
  const [choices, setChoices] = useState<Record<number, Resolution>>(() =>
    Object.fromEntries(rows.map(({ line }) => [line.crate, 'ignore' as Resolution])),
  );
  const resolutions = rows.map(({ line }) => ({
    crate: line.crate,
    action: choices[line.crate] ?? 'ignore',
  }));
  return (
    <Card title="Review">
      {rows.length === 0 ? (
        <p>Every expected crate was found where it belongs.</p>
      ) : (
        <div className="table-wrap" {...SCROLLABLE}>
          <table className="table" data-testid="count-review">
            <thead>
              <tr>
                <th>Crate</th>
                <th>Class</th>
                <th>Expected at</th>
                <th>Found at</th>
                <th>Resolution</th>
              </tr>
            </thead>
            <tbody>
              {rows.map(({ line, kind }) => (
                <tr key={line.crate}>
                  <td>{line.number}</td>
                  <td>{kind}</td>
                  <td>{line.expected_location_path ?? '—'}</td>
                  <td>{line.found_location_path ?? '—'}</td>
                  <td>
                    <select
                      aria-label={`Resolution for ${line.number}`}
                      className="select--big"
                      value={choices[line.crate] ?? 'ignore'}
                      onChange={(e) =>
                        setChoices((current) => ({
                          ...current,
                          [line.crate]: e.target.value as Resolution,
                        }))
                      }
                    >
                      {OPTIONS[kind].map((option) => (
                        <option key={option} value={option}>
                          {OPTION_TEXT[option]}
                        </option>
                      ))}
                    </select>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      <button
        type="button"
        className="btn btn--primary btn--big"
        data-testid="count-review-open"
        onClick={() => setOpen(true)}
      >
        Review and sign
      </button>
      <SignatureDialog
        open={open}
        title={`Review count ${count.number}`}
        meaning="Count reviewed"
        signerName={user.full_name || user.username}
        recordLabel={`${count.number} (${count.location_path})`}
        confirmLabel="Sign the review"
        onClose={() => setOpen(false)}
        onSign={({ password, comment }) =>
          review.mutateAsync({ password, comment, resolutions }).then(() => {
            notify(`Count ${count.number} reviewed.`, 'success');
            setOpen(false);
          })
        }
      />
    </Card>
  );
}

function Results({ count }: { count: CountDetail }) {
  const sections: [string, CountLine[]][] = [
    ['Found', count.found],
    ['Misplaced', count.misplaced],
    ['Missing', count.missing],
    ['Unexpected', count.unexpected],
  ];
  return (
    <Card title="What was counted">
      {count.status === 'reviewed' ? (
        <DefinitionList
          items={[
            ['Reviewed by', count.reviewed_by_name],
            ['Reviewed at', formatDateTime(count.reviewed_at)],
            ['Comment', count.review_comment || '—'],
            [
              'Resolutions',
              count.resolutions.length
                ? count.resolutions.map((row) => `${row.number}: ${row.action}`).join(', ')
                : 'none',
            ],
          ]}
        />
      ) : null}
      {sections.map(([title, lines]) =>
        lines.length ? (
          <div key={title} className="count-section">
            <h3>
              {title} ({lines.length})
            </h3>
            <ul data-testid={`count-${title.toLowerCase()}`}>
              {lines.map((line) => (
                <li key={line.crate}>
                  {line.number}
                  {line.found_location_path ? ` — at ${line.found_location_path}` : ''}
                  {line.expected_location_path &&
                  line.expected_location_path !== line.found_location_path
                    ? ` (expected at ${line.expected_location_path})`
                    : ''}
                </li>
              ))}
            </ul>
          </div>
        ) : null,
      )}
      {count.unknown.length ? (
        <div className="count-section">
          <h3>Unknown codes ({count.unknown.length})</h3>
          <ul data-testid="count-unknown">
            {count.unknown.map((code) => (
              <li key={code}>{code}</li>
            ))}
          </ul>
        </div>
      ) : null}
    </Card>
  );
}
