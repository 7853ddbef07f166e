import { act, render, screen, waitFor } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { Scanner } from './scanner';

// The browser's BarcodeDetector branch of the camera scanner (Android, ChromeOS, macOS): a
// detector that reads the label on every frame, a camera stream with one track. The zxing
// branch is covered by the browser tests with Chromium's fake camera.
const track = { stop: vi.fn() };
const stream = { getTracks: () => [track] };
const detect = vi.fn();
const getUserMedia = vi.fn();
let supported = ['code_128', 'qr_code', 'ean_13'];
const asked: string[][] = [];

class FakeBarcodeDetector {
  static getSupportedFormats = async () => supported;
  constructor(options: { formats: string[] }) {
    asked.push(options.formats);
  }
  detect = detect;
}

function setSecure(value: boolean) {
  Object.defineProperty(window, 'isSecureContext', { value, configurable: true });
}

beforeEach(() => {
  supported = ['code_128', 'qr_code', 'ean_13'];
  asked.length = 0;
  track.stop.mockReset();
  detect.mockReset();
  getUserMedia.mockReset();
  getUserMedia.mockResolvedValue(stream);
  setSecure(true);
  vi.stubGlobal('BarcodeDetector', FakeBarcodeDetector);
  Object.defineProperty(navigator, 'mediaDevices', {
    value: { getUserMedia },
    configurable: true,
  });
  vi.spyOn(HTMLMediaElement.prototype, 'play').mockResolvedValue(undefined);
});

afterEach(() => {
  vi.unstubAllGlobals();
  vi.restoreAllMocks();
});

describe('CameraScanner with the browser BarcodeDetector', () => {
  it('sends the decoded value once per label, trimmed, and stops the camera when closed', async () => {
    // Every frame sees the same label (the detector answers each tick): read once.
    detect.mockResolvedValue([{ rawValue: '  CRT-GOA-2026-000007 ' }]);
    const onCode = vi.fn();
    render(<Scanner onCode={onCode} label="Scan a crate" />);
    await userEvent.click(screen.getByRole('button', { name: 'Camera' }));

    await waitFor(() => expect(onCode).toHaveBeenCalledWith('CRT-GOA-2026-000007'));
    expect(document.querySelector('.camera-scanner')?.getAttribute('data-engine')).toBe('native');
    expect(asked).toEqual([['code_128', 'qr_code']]);
    expect(getUserMedia).toHaveBeenCalledWith({
      video: { facingMode: { ideal: 'environment' } },
      audio: false,
    });
    expect(screen.getByRole('status').textContent).toBe('Read CRT-GOA-2026-000007');
    await waitFor(() => expect(detect.mock.calls.length).toBeGreaterThan(2));
    expect(onCode).toHaveBeenCalledTimes(1);

    // The next label is read at once.
    detect.mockResolvedValue([{ rawValue: 'LOC-GOA-GOA-S1' }]);
    await waitFor(() => expect(onCode).toHaveBeenLastCalledWith('LOC-GOA-GOA-S1'));
    expect(onCode).toHaveBeenCalledTimes(2);

    await userEvent.click(screen.getByRole('button', { name: 'Close camera' }));
    expect(track.stop).toHaveBeenCalledTimes(1);
    const calls = detect.mock.calls.length;
    await act(() => new Promise((resolve) => setTimeout(resolve, 400)));
    expect(detect.mock.calls.length).toBe(calls); // no more frames read
  });

  it('says so when the camera is refused, and reads nothing', async () => {
    getUserMedia.mockRejectedValue(new DOMException('denied', 'NotAllowedError'));
    const onCode = vi.fn();
    render(<Scanner onCode={onCode} />);
    await userEvent.click(screen.getByRole('button', { name: 'Camera' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The browser was not allowed to use the camera. Allow it in the site settings, or type the code.',
    );
    expect(detect).not.toHaveBeenCalled();
    expect(onCode).not.toHaveBeenCalled();
  });

  it('needs a secure origin: over plain HTTP it asks for the keyboard instead', async () => {
    setSecure(false);
    render(<Scanner onCode={vi.fn()} />);
    await userEvent.click(screen.getByRole('button', { name: 'Camera' }));
    expect((await screen.findByRole('alert')).textContent).toBe(
      'The camera works only over HTTPS. Type the code or use a hand scanner.',
    );
    expect(getUserMedia).not.toHaveBeenCalled();
  });
});
