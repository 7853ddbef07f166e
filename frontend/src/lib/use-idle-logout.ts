import { useEffect, useRef } from 'react';

const EVENTS = ['mousemove', 'mousedown', 'keydown', 'touchstart', 'scroll', 'wheel'] as const;

/** Idle minutes before automatic logout; set at build time with VITE_IDLE_TIMEOUT_MINUTES. */
export const IDLE_TIMEOUT_MS = (Number(import.meta.env.VITE_IDLE_TIMEOUT_MINUTES) || 15) * 60_000;

/**
 * Calls `onIdle` after `timeoutMs` without user input. Activity in any tab counts
 * (shared through localStorage), so a user busy in another tab is not signed out.
 */
export function useIdleLogout(
  onIdle: () => void,
  timeoutMs: number = IDLE_TIMEOUT_MS,
  enabled = true,
) {
  const callback = useRef(onIdle);
  useEffect(() => {
    callback.current = onIdle;
  });

  useEffect(() => {
    if (!enabled) return;
    const key = 'dms.lastActivity';
    let timer: number | undefined;
    let lastWrite = 0;
    const arm = () => {
      window.clearTimeout(timer);
      timer = window.setTimeout(check, timeoutMs);
    };
    const check = () => {
      const last = Number(window.localStorage.getItem(key)) || 0;
      const idleFor = Date.now() - last;
      if (idleFor >= timeoutMs) callback.current();
      else timer = window.setTimeout(check, timeoutMs - idleFor);
    };
    const activity = () => {
      const now = Date.now();
      if (now - lastWrite > 1000) {
        lastWrite = now;
        window.localStorage.setItem(key, String(now));
      }
      arm();
    };
    activity();
    EVENTS.forEach((name) => window.addEventListener(name, activity, { passive: true }));
    return () => {
      window.clearTimeout(timer);
      EVENTS.forEach((name) => window.removeEventListener(name, activity));
    };
  }, [timeoutMs, enabled]);
}
