import { useId, useState } from 'react';
import { errorText } from '@/components/ui/error-message';
import type { LabelFormat } from '@/lib/types';
import { LABEL_FORMATS, printLabels, type LabelTarget } from '../api/labels';

interface PrintLabelsProps {
  target: LabelTarget;
  /** How many labels the target makes, when known (the button says it). */
  count?: number;
  buttonLabel?: string;
}

/** A label format choice and a Print button: opens the PDF, or saves the ZPL file. */
export function PrintLabels({ target, count, buttonLabel }: PrintLabelsProps) {
  const id = useId();
  const [format, setFormat] = useState<LabelFormat>('avery-l7163');
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);

  const print = async () => {
    setBusy(true);
    setError(null);
    try {
      await printLabels(target, format);
    } catch (problem) {
      setError(errorText(problem));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="print-labels" role="group" aria-label="Print labels">
      <label htmlFor={id} className="sr-only">
        Label format
      </label>
      <select id={id} value={format} onChange={(e) => setFormat(e.target.value as LabelFormat)}>
        {LABEL_FORMATS.map((option) => (
          <option key={option.value} value={option.value}>
            {option.label}
          </option>
        ))}
      </select>
      <button type="button" className="btn" disabled={busy} onClick={() => void print()}>
        {buttonLabel ??
          (count !== undefined ? `Print ${count} label${count === 1 ? '' : 's'}` : 'Print labels')}
      </button>
      {error ? (
        <span className="field__error" role="alert">
          {error}
        </span>
      ) : null}
    </div>
  );
}
