import { lazy, Suspense, useId, useState, type KeyboardEvent } from 'react';

const CameraScanner = lazy(() =>
  import('./camera-scanner').then((module) => ({ default: module.CameraScanner })),
);

export interface ScannerMessage {
  tone: 'error' | 'ok';
  text: string;
}

export interface ScannerProps {
  /**
   * Called with each code read, trimmed: typed or sent by a hand scanner (keyboard wedge: the
   * code, then Enter) or read by the camera. May return a promise: the box shows it is busy
   * until it settles.
   */
  onCode: (code: string) => unknown;
  /** The box's visible label. */
  label?: string;
  placeholder?: string;
  /** Feedback under the box (what was found, or why the code was refused). */
  message?: ScannerMessage | null;
  /** The button that sends a typed code. */
  buttonLabel?: string;
  /** Offer the camera (default true). */
  camera?: boolean;
  autoFocus?: boolean;
  /** Class for the outer element. */
  className?: string;
}

/**
 * A scan box: a hand scanner (which types the code and presses Enter), typing, or the
 * device's camera, without leaving the page. Never a <form>: it sits inside other forms (a new
 * request), where Enter must add the code, not submit (or reload) the surrounding form.
 */
export function Scanner({
  onCode,
  label = 'Scan or type a code',
  placeholder = 'CRT-GOA-2026-000123',
  message,
  buttonLabel = 'Go',
  camera = true,
  autoFocus,
  className,
}: ScannerProps) {
  const id = useId();
  const [value, setValue] = useState('');
  const [busy, setBusy] = useState(false);
  const [cameraOpen, setCameraOpen] = useState(false);

  const send = async (raw: string) => {
    const code = raw.trim();
    if (!code) return;
    setBusy(true);
    try {
      await onCode(code);
    } finally {
      setBusy(false);
    }
  };

  const sendTyped = () => {
    const code = value;
    setValue('');
    void send(code);
  };

  const onKeyDown = (event: KeyboardEvent<HTMLInputElement>) => {
    if (event.key !== 'Enter') return;
    // Enter in a field of a surrounding form would submit that form.
    event.preventDefault();
    event.stopPropagation();
    sendTyped();
  };

  const messageId = `${id}-message`;
  return (
    <div className={`scan ${className ?? ''}`} role="group" aria-labelledby={`${id}-label`}>
      <label id={`${id}-label`} htmlFor={`${id}-input`} className="scan__label">
        {label}
      </label>
      <div className="scan__row">
        <input
          id={`${id}-input`}
          className="scan__input"
          value={value}
          onChange={(e) => setValue(e.target.value)}
          onKeyDown={onKeyDown}
          placeholder={placeholder}
          autoComplete="off"
          autoCapitalize="characters"
          spellCheck={false}
          enterKeyHint="go"
          autoFocus={autoFocus}
          aria-describedby={message ? messageId : undefined}
          data-scan-input=""
        />
        <button type="button" className="btn" disabled={busy} onClick={sendTyped}>
          {buttonLabel}
        </button>
        {camera ? (
          <button
            type="button"
            className="btn"
            aria-pressed={cameraOpen}
            onClick={() => setCameraOpen((open) => !open)}
          >
            {cameraOpen ? 'Stop camera' : 'Camera'}
          </button>
        ) : null}
      </div>
      {cameraOpen ? (
        <Suspense fallback={<div className="camera-scanner">Starting the camera…</div>}>
          <CameraScanner onCode={(code) => void send(code)} onClose={() => setCameraOpen(false)} />
        </Suspense>
      ) : null}
      {message ? (
        <div
          id={messageId}
          className={message.tone === 'error' ? 'field__error' : 'scan__ok'}
          role={message.tone === 'error' ? 'alert' : 'status'}
        >
          {message.text}
        </div>
      ) : null}
    </div>
  );
}
