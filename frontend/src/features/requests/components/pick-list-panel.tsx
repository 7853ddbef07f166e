import { useEffect, useState } from 'react';
import { Scanner, type ScannerMessage } from '@/components/scanner/scanner';
import { notFoundMessage, resolveScan } from '@/components/scanner/resolve-scan';
import { ErrorMessage, errorText } from '@/components/ui/error-message';
import { Card, Loading, SCROLLABLE } from '@/components/ui/misc';
import type { DmsRequest, PickItem } from '@/lib/types';
import { openPickListPdf, usePickList } from '../api/requests';

function itemKey(item: PickItem): string {
  return `${item.crate}:${item.document?.id ?? ''}`;
}

/** Ticks kept for the browser tab, so a reload in the aisle does not lose them. */
function useTicks(requestId: number) {
  const storageKey = `pick-list-ticks:${requestId}`;
  const [ticked, setTicked] = useState<Set<string>>(() => {
    try {
      return new Set(JSON.parse(window.sessionStorage.getItem(storageKey) ?? '[]') as string[]);
    } catch {
      return new Set();
    }
  });
  useEffect(() => {
    window.sessionStorage.setItem(storageKey, JSON.stringify([...ticked]));
  }, [storageKey, ticked]);
  return [ticked, setTicked] as const;
}

/**
 * The pick (or put-away) list of an approved request, in shelf order: each item is ticked as
 * its crate's (or document's) label is scanned, and a crate that is not on the list is refused
 * here. Ticking helps the person walking the aisles; executing the request is unchanged.
 */
export function PickListPanel({ request }: { request: DmsRequest }) {
  const { data: items, error, isLoading } = usePickList(request.id, true);
  const [ticked, setTicked] = useTicks(request.id);
  const [message, setMessage] = useState<ScannerMessage | null>(null);
  const putAway = request.request_type === 'storage';
  const title = putAway ? 'Put-away list' : 'Pick list';

  const onCode = async (code: string) => {
    if (!items) return;
    const wanted = code.toUpperCase();
    const byCrate = items.filter((item) => item.number.toUpperCase() === wanted);
    const byDocument = items.filter((item) => item.document?.number.toUpperCase() === wanted);
    const matched = byCrate.length ? byCrate : byDocument;
    if (matched.length) {
      const fresh = matched.filter((item) => !ticked.has(itemKey(item)));
      setTicked((current) => new Set([...current, ...matched.map(itemKey)]));
      const first = matched[0];
      const what = byCrate.length ? first.number : `${first.document?.number} (${first.number})`;
      setMessage(
        fresh.length
          ? {
              tone: 'ok',
              text: `${what} ticked${first.location_path ? ` at ${first.location_path}` : ''}.`,
            }
          : { tone: 'ok', text: `${what} was already ticked.` },
      );
      return;
    }
    // Not on the list: say what it is, so the person knows which label they picked up.
    try {
      const result = await resolveScan(code);
      if (!result) {
        setMessage({ tone: 'error', text: notFoundMessage(code) });
      } else if (result.kind === 'location') {
        setMessage({
          tone: 'error',
          text: `${result.number_or_code} is a location (${result.location_path}); scan the crate's label.`,
        });
      } else {
        setMessage({
          tone: 'error',
          text: `${result.number_or_code} is not on this ${title.toLowerCase()}: leave it where it is.`,
        });
      }
    } catch (problem) {
      setMessage({ tone: 'error', text: errorText(problem) });
    }
  };

  const done = items ? items.filter((item) => ticked.has(itemKey(item))).length : 0;
  return (
    <Card
      title={title}
      actions={
        <button type="button" className="btn" onClick={() => void openPickListPdf(request)}>
          Print {title.toLowerCase()}
        </button>
      }
    >
      <ErrorMessage error={error} />
      {isLoading ? <Loading /> : null}
      {items ? (
        <>
          <Scanner
            label={`Scan each ${putAway ? 'crate' : 'crate or document'} as you ${putAway ? 'put it away' : 'take it'}`}
            buttonLabel="Tick"
            message={message}
            onCode={onCode}
          />
          <p role="status" data-testid="pick-progress">
            {done} of {items.length} ticked
            {items.length > 0 && done === items.length
              ? ` — everything is here: ${putAway ? 'store the crates' : 'execute the request'}.`
              : '.'}
          </p>
          <div className="table-wrap" {...SCROLLABLE}>
            <table className="table" data-testid="pick-list">
              <thead>
                <tr>
                  <th scope="col">Done</th>
                  <th scope="col">Location</th>
                  <th scope="col">Crate</th>
                  <th scope="col">Document</th>
                </tr>
              </thead>
              <tbody>
                {items.map((item) => {
                  const isTicked = ticked.has(itemKey(item));
                  return (
                    <tr key={itemKey(item)} className={isTicked ? 'is-selected' : undefined}>
                      <td>
                        <span aria-label={isTicked ? 'ticked' : 'not yet'} role="img">
                          {isTicked ? '✔' : '○'}
                        </span>
                      </td>
                      <td>{item.location_path ?? 'To be allocated'}</td>
                      <td>{item.number}</td>
                      <td>
                        {item.document
                          ? `${item.document.number} — ${item.document.title}`
                          : 'whole crate'}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </Card>
  );
}
