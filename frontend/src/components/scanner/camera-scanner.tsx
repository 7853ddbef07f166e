import { useEffect, useRef, useState } from 'react';

/** What reads codes from video frames: the browser's BarcodeDetector, or @zxing/browser. */
type Stop = () => void;

interface DetectedBarcode {
  rawValue: string;
}
interface BarcodeDetectorLike {
  detect(source: HTMLVideoElement): Promise<DetectedBarcode[]>;
}
interface BarcodeDetectorClass {
  new (options: { formats: string[] }): BarcodeDetectorLike;
  getSupportedFormats(): Promise<string[]>;
}

const FORMATS = ['code_128', 'qr_code'];
// The same label stays in front of the camera for a while: read it once, not every frame.
const REPEAT_MS = 2500;

async function nativeDetector(): Promise<BarcodeDetectorLike | null> {
  const Detector = (window as unknown as { BarcodeDetector?: BarcodeDetectorClass })
    .BarcodeDetector;
  if (!Detector) return null;
  try {
    const supported = await Detector.getSupportedFormats();
    if (!FORMATS.every((format) => supported.includes(format))) return null;
    return new Detector({ formats: FORMATS });
  } catch {
    return null;
  }
}

const CONSTRAINTS: MediaStreamConstraints = {
  video: { facingMode: { ideal: 'environment' } },
  audio: false,
};

async function startNative(
  detector: BarcodeDetectorLike,
  video: HTMLVideoElement,
  onRead: (code: string) => void,
): Promise<Stop> {
  const stream = await navigator.mediaDevices.getUserMedia(CONSTRAINTS);
  video.srcObject = stream;
  await video.play();
  let stopped = false;
  const tick = async () => {
    if (stopped) return;
    try {
      const found = await detector.detect(video);
      for (const barcode of found) if (barcode.rawValue) onRead(barcode.rawValue);
    } catch {
      // A frame that is not ready yet: try the next one.
    }
    if (!stopped) window.setTimeout(() => void tick(), 150);
  };
  void tick();
  return () => {
    stopped = true;
    stream.getTracks().forEach((track) => track.stop());
    video.srcObject = null;
  };
}

async function startZxing(video: HTMLVideoElement, onRead: (code: string) => void): Promise<Stop> {
  // Loaded only when a camera is opened without BarcodeDetector: the library stays out of
  // the pages' bundles.
  const [{ BrowserMultiFormatReader }, { BarcodeFormat, DecodeHintType }] = await Promise.all([
    import('@zxing/browser'),
    import('@zxing/library'),
  ]);
  const hints = new Map();
  hints.set(DecodeHintType.POSSIBLE_FORMATS, [BarcodeFormat.CODE_128, BarcodeFormat.QR_CODE]);
  const reader = new BrowserMultiFormatReader(hints, { delayBetweenScanAttempts: 150 });
  const controls = await reader.decodeFromConstraints(CONSTRAINTS, video, (result) => {
    if (result) onRead(result.getText());
  });
  return () => controls.stop();
}

function cameraProblem(error: unknown): string {
  const name = error instanceof DOMException ? error.name : '';
  if (name === 'NotAllowedError' || name === 'SecurityError')
    return 'The browser was not allowed to use the camera. Allow it in the site settings, or type the code.';
  if (name === 'NotFoundError' || name === 'OverconstrainedError')
    return 'No camera was found on this device. Type the code or use a hand scanner.';
  if (name === 'NotReadableError')
    return 'The camera is in use by another app. Close it and try again.';
  return 'The camera could not be started. Type the code or use a hand scanner.';
}

interface CameraScannerProps {
  /** Each code read (once per label, not once per frame). */
  onCode: (code: string) => void;
  onClose: () => void;
}

/**
 * A live camera view that reads Code 128 and QR labels: the browser's BarcodeDetector where it
 * has one (Android, ChromeOS, macOS), else @zxing/browser. The camera needs a secure origin
 * (HTTPS or localhost). It stays open for the next label until closed.
 */
export function CameraScanner({ onCode, onClose }: CameraScannerProps) {
  const videoRef = useRef<HTMLVideoElement>(null);
  const onCodeRef = useRef(onCode);
  const [problem, setProblem] = useState<string | null>(null);
  const [engine, setEngine] = useState<'native' | 'zxing' | null>(null);
  const [last, setLast] = useState<string | null>(null);

  useEffect(() => {
    onCodeRef.current = onCode;
  }, [onCode]);

  useEffect(() => {
    const video = videoRef.current;
    if (!video) return;
    if (!window.isSecureContext || !navigator.mediaDevices?.getUserMedia) {
      setProblem('The camera works only over HTTPS. Type the code or use a hand scanner.');
      return;
    }
    let stop: Stop | null = null;
    let cancelled = false;
    const seen = new Map<string, number>();
    const onRead = (raw: string) => {
      const code = raw.trim();
      const now = Date.now();
      if (!code || now - (seen.get(code) ?? 0) < REPEAT_MS) return;
      seen.set(code, now);
      setLast(code);
      onCodeRef.current(code);
    };
    void (async () => {
      try {
        const detector = await nativeDetector();
        const stopper = detector
          ? await startNative(detector, video, onRead)
          : await startZxing(video, onRead);
        if (cancelled) stopper();
        else {
          stop = stopper;
          setEngine(detector ? 'native' : 'zxing');
        }
      } catch (error) {
        if (!cancelled) setProblem(cameraProblem(error));
      }
    })();
    return () => {
      cancelled = true;
      stop?.();
    };
  }, []);

  return (
    <div className="camera-scanner" data-engine={engine ?? undefined}>
      <video
        ref={videoRef}
        className="camera-scanner__video"
        muted
        playsInline
        aria-label="Camera view: hold a label's barcode or QR code in front of the camera"
      />
      <div className="camera-scanner__bar">
        <span className="camera-scanner__status" role="status">
          {problem
            ? null
            : last
              ? `Read ${last}`
              : engine
                ? 'Point the camera at a label.'
                : 'Starting the camera…'}
        </span>
        <button type="button" className="btn btn--ghost" onClick={onClose}>
          Close camera
        </button>
      </div>
      {problem ? (
        <div className="field__error" role="alert">
          {problem}
        </div>
      ) : null}
    </div>
  );
}
