import { act, renderHook } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { IDLE_TIMEOUT_MS, useIdleLogout } from './use-idle-logout';

describe('useIdleLogout', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('defaults to 15 minutes', () => {
    expect(IDLE_TIMEOUT_MS).toBe(15 * 60_000);
  });

  it('signs out after the idle time without input', () => {
    const onIdle = vi.fn();
    renderHook(() => useIdleLogout(onIdle, 60_000));
    act(() => {
      vi.advanceTimersByTime(59_000);
    });
    expect(onIdle).not.toHaveBeenCalled();
    act(() => {
      vi.advanceTimersByTime(2_000);
    });
    expect(onIdle).toHaveBeenCalledTimes(1);
  });

  it('restarts the clock on user activity', () => {
    const onIdle = vi.fn();
    renderHook(() => useIdleLogout(onIdle, 60_000));
    act(() => {
      vi.advanceTimersByTime(50_000);
      window.dispatchEvent(new KeyboardEvent('keydown', { key: 'a' }));
      vi.advanceTimersByTime(50_000);
    });
    expect(onIdle).not.toHaveBeenCalled();
    act(() => {
      vi.advanceTimersByTime(11_000);
    });
    expect(onIdle).toHaveBeenCalledTimes(1);
  });
});
