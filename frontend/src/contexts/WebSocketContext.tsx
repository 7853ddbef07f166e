import { useQueryClient, type QueryKey } from '@tanstack/react-query';
import {
  createContext,
  useCallback,
  useContext,
  useEffect,
  useMemo,
  useRef,
  useState,
  type ReactNode,
} from 'react';
import { getWsTicket } from '@/features/auth/api/auth';
import { queryKeys } from '@/lib/react-query';

export type Entity =
  | 'request'
  | 'crate'
  | 'sendback'
  | 'location'
  | 'notification'
  | 'count'
  | 'import'
  | 'legal_hold';

export interface EntityChangedEvent {
  type: 'entity.changed';
  entity: Entity;
  /** created, updated, deleted; a count also scanned, submitted, cancelled, reviewed; an import progress. */
  action: string;
  id: number;
  unit: number | null;
  status?: string | null;
  number?: string | null;
  timestamp?: string;
}

export interface ReportProgressEvent {
  type: 'report.progress';
  id: number;
  done: number;
  total: number;
  status?: string;
}

/** A schedule change's background recompute advances (to the user who made the change). */
export interface RetentionProgressEvent {
  type: 'retention.progress';
  id: number;
  document_type: number;
  status: 'pending' | 'running' | 'done' | 'failed';
  done: number;
  total: number;
}

export type ServerEvent =
  EntityChangedEvent | ReportProgressEvent | RetentionProgressEvent | { type: 'pong' };

export type ConnectionState = 'connecting' | 'open' | 'reconnecting' | 'offline';

/**
 * Which cached queries go stale when the server says an entity changed (docs/events.md).
 * Invalidating a root key (['requests']) also refreshes every list and detail below it.
 */
export const ENTITY_QUERY_KEYS: Record<Entity, QueryKey[]> = {
  request: [queryKeys.requests, queryKeys.dashboard, queryKeys.sendbacks],
  crate: [queryKeys.crates, queryKeys.documents, queryKeys.dashboard],
  sendback: [queryKeys.sendbacks, queryKeys.requests, queryKeys.dashboard],
  location: [queryKeys.locations, queryKeys.dashboard],
  notification: [queryKeys.notifications],
  count: [queryKeys.counts],
  import: [queryKeys.imports],
  // A hold placed or released changes which crates are held (their badges) and what is due.
  legal_hold: [queryKeys.holds, queryKeys.crates, queryKeys.documents, queryKeys.disposition],
};

/** What a finished schedule recompute makes stale. */
export const RECOMPUTE_DONE_KEYS: QueryKey[] = [
  queryKeys.recomputes,
  queryKeys.documentTypes,
  queryKeys.crates,
  queryKeys.documents,
  queryKeys.disposition,
  queryKeys.dashboard,
];

export function keysForEvent(event: EntityChangedEvent): QueryKey[] {
  return ENTITY_QUERY_KEYS[event.entity] ?? [];
}

/** Delay before reconnect attempt `attempt` (0-based): 1 s doubling to 30 s, with jitter. */
export function backoffDelay(attempt: number, random: () => number = Math.random): number {
  const base = Math.min(30_000, 1000 * 2 ** attempt);
  return Math.round(base * (0.8 + 0.4 * random()));
}

type Listener = (event: ServerEvent) => void;

interface WebSocketContextValue {
  state: ConnectionState;
  subscribe: (listener: Listener) => () => void;
  /** The user just changed this object here: skip the "changed by someone" toast for it. */
  markLocalChange: (entity: Entity, id: number) => void;
  isLocalChange: (entity: Entity, id: number) => boolean;
}

const WebSocketContext = createContext<WebSocketContextValue | null>(null);

export interface WebSocketProviderProps {
  children: ReactNode;
  /** Off when nobody is signed in. */
  enabled?: boolean;
  fetchTicket?: () => Promise<string>;
  createSocket?: (url: string) => WebSocket;
  url?: (ticket: string) => string;
}

function defaultUrl(ticket: string): string {
  const scheme = window.location.protocol === 'https:' ? 'wss' : 'ws';
  return `${scheme}://${window.location.host}/ws/updates/?ticket=${encodeURIComponent(ticket)}`;
}

const defaultFetchTicket = async () => (await getWsTicket()).ticket;
const defaultCreateSocket = (url: string) => new WebSocket(url);
const PING_MS = 25_000;
const LOCAL_CHANGE_MS = 5_000;

export function WebSocketProvider({
  children,
  enabled = true,
  fetchTicket = defaultFetchTicket,
  createSocket = defaultCreateSocket,
  url = defaultUrl,
}: WebSocketProviderProps) {
  const queryClient = useQueryClient();
  const [state, setState] = useState<ConnectionState>(enabled ? 'connecting' : 'offline');
  const listeners = useRef(new Set<Listener>());
  const localChanges = useRef(new Map<string, number>());
  const deps = useRef({ fetchTicket, createSocket, url });
  deps.current = { fetchTicket, createSocket, url };

  useEffect(() => {
    if (!enabled) {
      setState('offline');
      return;
    }
    let stopped = false;
    let socket: WebSocket | null = null;
    let attempt = 0;
    let retryTimer: number | undefined;
    let pingTimer: number | undefined;

    const scheduleReconnect = () => {
      if (stopped) return;
      setState('reconnecting');
      const delay = backoffDelay(attempt);
      attempt += 1;
      retryTimer = window.setTimeout(connect, delay);
    };

    const handleMessage = (raw: MessageEvent) => {
      let event: ServerEvent;
      try {
        event = JSON.parse(String(raw.data)) as ServerEvent;
      } catch {
        return;
      }
      if (event.type === 'entity.changed') {
        for (const queryKey of keysForEvent(event)) {
          void queryClient.invalidateQueries({ queryKey });
        }
      }
      if (
        event.type === 'retention.progress' &&
        (event.status === 'done' || event.status === 'failed')
      ) {
        // The recompute rewrote retention dates of a whole document type.
        for (const queryKey of RECOMPUTE_DONE_KEYS)
          void queryClient.invalidateQueries({ queryKey });
      }
      listeners.current.forEach((listener) => listener(event));
    };

    async function connect() {
      if (stopped) return;
      setState(attempt === 0 ? 'connecting' : 'reconnecting');
      let ticket: string;
      try {
        // A ticket is single-use: every connection attempt asks for a new one.
        ticket = await deps.current.fetchTicket();
      } catch {
        scheduleReconnect();
        return;
      }
      if (stopped) return;
      const ws = deps.current.createSocket(deps.current.url(ticket));
      socket = ws;
      ws.onopen = () => {
        attempt = 0;
        setState('open');
        // Anything missed while disconnected is refetched.
        if (wasDisconnected) void queryClient.invalidateQueries();
        wasDisconnected = false;
        window.clearInterval(pingTimer);
        pingTimer = window.setInterval(() => {
          if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify({ type: 'ping' }));
        }, PING_MS);
      };
      ws.onmessage = handleMessage;
      ws.onclose = () => {
        window.clearInterval(pingTimer);
        if (socket === ws) socket = null;
        wasDisconnected = true;
        scheduleReconnect();
      };
      ws.onerror = () => {
        // onclose follows and schedules the reconnect.
      };
    }
    let wasDisconnected = false;

    const onOnline = () => {
      if (!socket && !stopped) {
        window.clearTimeout(retryTimer);
        attempt = 0;
        void connect();
      }
    };
    window.addEventListener('online', onOnline);
    void connect();

    return () => {
      stopped = true;
      window.removeEventListener('online', onOnline);
      window.clearTimeout(retryTimer);
      window.clearInterval(pingTimer);
      if (socket) {
        socket.onclose = null;
        socket.close(1000);
      }
    };
  }, [enabled, queryClient]);

  const subscribe = useCallback((listener: Listener) => {
    listeners.current.add(listener);
    return () => {
      listeners.current.delete(listener);
    };
  }, []);

  const markLocalChange = useCallback((entity: Entity, id: number) => {
    localChanges.current.set(`${entity}:${id}`, Date.now());
  }, []);

  const isLocalChange = useCallback((entity: Entity, id: number) => {
    const at = localChanges.current.get(`${entity}:${id}`);
    return at !== undefined && Date.now() - at < LOCAL_CHANGE_MS;
  }, []);

  const value = useMemo(
    () => ({ state, subscribe, markLocalChange, isLocalChange }),
    [state, subscribe, markLocalChange, isLocalChange],
  );
  return <WebSocketContext.Provider value={value}>{children}</WebSocketContext.Provider>;
}

export function useWebSocket(): WebSocketContextValue {
  const value = useContext(WebSocketContext);
  if (!value) throw new Error('useWebSocket outside WebSocketProvider');
  return value;
}

/** Calls `onEvent` for every server event (report progress, entity changes). */
export function useServerEvents(onEvent: (event: ServerEvent) => void): void {
  const { subscribe } = useWebSocket();
  const handler = useRef(onEvent);
  useEffect(() => {
    handler.current = onEvent;
  });
  useEffect(() => subscribe((event) => handler.current(event)), [subscribe]);
}

/**
 * Toasts when the object on screen is changed by someone else; the data itself
 * refreshes through the invalidation map.
 */
export function useWatchEntity(
  entity: Entity,
  id: number | undefined,
  notify: (message: string) => void,
  label: string = entity,
): void {
  const { isLocalChange } = useWebSocket();
  useServerEvents((event) => {
    if (event.type !== 'entity.changed' || id === undefined) return;
    if (event.entity !== entity || event.id !== id) return;
    if (isLocalChange(entity, id)) return;
    const what = event.number ?? `${label} ${id}`;
    const status = event.status ? `: now ${event.status.replace(/_/g, ' ')}` : '';
    notify(event.action === 'deleted' ? `${what} was deleted` : `${what} was updated${status}`);
  });
}
