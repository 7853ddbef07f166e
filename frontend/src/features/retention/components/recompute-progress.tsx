import { useState } from 'react';
import { useServerEvents, type RetentionProgressEvent } from '@/contexts/WebSocketContext';
import { StatusBadge } from '@/components/ui/misc';
import type { RetentionRecompute } from '@/lib/types';

type Progress = Pick<RetentionRecompute, 'status' | 'done' | 'total'>;

/**
 * The latest progress of each schedule recompute the socket reported (`retention.progress`,
 * sent to the user who changed the schedule): newer than the last read of the list.
 */
export function useRecomputeProgress(): Record<number, Progress> {
  const [progress, setProgress] = useState<Record<number, Progress>>({});
  useServerEvents((event) => {
    if (event.type !== 'retention.progress') return;
    const { id, status, done, total } = event as RetentionProgressEvent;
    setProgress((current) => ({ ...current, [id]: { status, done, total } }));
  });
  return progress;
}

/** A recompute's state: a progress bar while it runs, then what it changed. */
export function RecomputeProgress({
  recompute,
  live,
}: {
  recompute: RetentionRecompute;
  live?: Progress;
}) {
  // The socket's figure while it runs; the read once it is the same or newer (finished).
  const current: Progress =
    live && (recompute.status === 'pending' || recompute.status === 'running') ? live : recompute;
  const percent = current.total ? Math.round((100 * current.done) / current.total) : 100;
  const running = current.status === 'pending' || current.status === 'running';
  return (
    <div
      className="progress"
      data-testid="recompute-progress"
      data-status={current.status}
      aria-live="polite"
    >
      <StatusBadge status={current.status} />{' '}
      {running ? (
        <>
          <progress
            max={100}
            value={percent}
            aria-label={`Recompute of ${recompute.document_type_code}: ${percent}%`}
          />{' '}
          {current.done.toLocaleString()} of {current.total.toLocaleString()} documents
        </>
      ) : current.status === 'done' && recompute.status !== 'done' ? (
        <span>Finished; reading the result…</span>
      ) : current.status === 'done' ? (
        <span>
          {recompute.documents_changed.toLocaleString()} of {current.total.toLocaleString()}{' '}
          documents and {recompute.crates_changed.toLocaleString()}{' '}
          {recompute.crates_changed === 1 ? 'crate' : 'crates'} got a new retention date
        </span>
      ) : (
        <span>The recompute failed; ask an administrator to look at the worker's log.</span>
      )}
    </div>
  );
}
