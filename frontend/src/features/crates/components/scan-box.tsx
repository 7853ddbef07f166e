import { useState, type FormEvent } from 'react';
import { useNavigate } from 'react-router-dom';
import { errorText } from '@/components/ui/error-message';
import { findCrateByNumber } from '../api/crates';

/**
 * A barcode scanner in keyboard-wedge mode types the crate number and presses Enter;
 * the box then opens that crate. Typing the number by hand works the same.
 */
export function ScanBox({ onFound }: { onFound?: (crateId: number) => void }) {
  const navigate = useNavigate();
  const [value, setValue] = useState('');
  const [message, setMessage] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: FormEvent) => {
    event.preventDefault();
    const number = value.trim();
    if (!number) return;
    setBusy(true);
    setMessage(null);
    try {
      const crate = await findCrateByNumber(number);
      if (!crate) {
        setMessage(`No crate ${number} in your units.`);
      } else if (onFound) {
        onFound(crate.id);
        setValue('');
      } else {
        navigate(`/crates/${crate.id}`);
      }
    } catch (error) {
      setMessage(errorText(error));
    } finally {
      setBusy(false);
    }
  };

  return (
    <form className="scan" onSubmit={submit} role="search">
      <label htmlFor="scan-input" className="scan__label">
        Scan or type crate number
      </label>
      <div className="scan__row">
        <input
          id="scan-input"
          className="scan__input"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          placeholder="CRT-GOA-2026-000123"
          autoComplete="off"
          spellCheck={false}
          aria-describedby={message ? 'scan-message' : undefined}
        />
        <button type="submit" className="btn" disabled={busy}>
          Open
        </button>
      </div>
      {message ? (
        <div id="scan-message" className="field__error" role="alert">
          {message}
        </div>
      ) : null}
    </form>
  );
}
