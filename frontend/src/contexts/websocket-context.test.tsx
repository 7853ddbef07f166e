import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { act, render, screen } from '@testing-library/react';
import type { ReactNode } from 'react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  ENTITY_QUERY_KEYS,
  WebSocketProvider,
  backoffDelay,
  keysForEvent,
  useWatchEntity,
  useWebSocket,
  type EntityChangedEvent,
} from './WebSocketContext';

class FakeSocket {
  static instances: FakeSocket[] = [];
  readyState = 0;
  sent: string[] = [];
  onopen: (() => void) | null = null;
  onclose: ((event: { code: number }) => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(public url: string) {
    FakeSocket.instances.push(this);
  }
  send(data: string) {
    this.sent.push(data);
  }
  close() {
    this.readyState = 3;
  }
  open() {
    this.readyState = 1;
    this.onopen?.();
  }
  serverClose(code = 1006) {
    this.readyState = 3;
    this.onclose?.({ code });
  }
  emit(data: unknown) {
    this.onmessage?.({ data: JSON.stringify(data) });
  }
}

function State() {
  const { state } = useWebSocket();
  return <span data-testid="state">{state}</span>;
}

const toasts: string[] = [];

/** A detail page watching request 7. */
function Watcher() {
  const { markLocalChange } = useWebSocket();
  useWatchEntity('request', 7, (message) => toasts.push(message), 'Request');
  return (
    <button type="button" onClick={() => markLocalChange('request', 7)}>
      local change
    </button>
  );
}

function setup(fetchTicket = vi.fn(async () => `t${FakeSocket.instances.length + 1}`)) {
  const client = new QueryClient();
  const invalidate = vi.spyOn(client, 'invalidateQueries');
  const wrapper = ({ children }: { children: ReactNode }) => (
    <QueryClientProvider client={client}>
      <WebSocketProvider
        fetchTicket={fetchTicket}
        createSocket={(url) => new FakeSocket(url) as unknown as WebSocket}
        url={(ticket) => `ws://test/ws/updates/?ticket=${ticket}`}
      >
        {children}
      </WebSocketProvider>
    </QueryClientProvider>
  );
  render(
    <>
      <State />
      <Watcher />
    </>,
    { wrapper },
  );
  return { invalidate, fetchTicket };
}

const event = (entity: EntityChangedEvent['entity']): EntityChangedEvent => ({
  type: 'entity.changed',
  entity,
  action: 'updated',
  id: 7,
  unit: 1,
  status: 'approved',
  number: 'REQ-2026-000007',
});

describe('entity → query keys', () => {
  it('maps each entity of docs/events.md to the keys it invalidates', () => {
    expect(keysForEvent(event('request'))).toEqual([['requests'], ['dashboard'], ['sendbacks']]);
    expect(keysForEvent(event('crate'))).toEqual([['crates'], ['documents'], ['dashboard']]);
    expect(keysForEvent(event('location'))).toEqual([['locations'], ['dashboard']]);
    expect(keysForEvent(event('sendback'))).toContainEqual(['sendbacks']);
    expect(keysForEvent(event('notification'))).toEqual([['notifications']]);
    expect(keysForEvent(event('count'))).toEqual([['counts']]);
    expect(keysForEvent(event('import'))).toEqual([['imports']]);
    // A hold placed or released: the hold list, the crates' hold badges, what is due.
    expect(keysForEvent(event('legal_hold'))).toEqual([
      ['holds'],
      ['crates'],
      ['documents'],
      ['disposition'],
    ]);
    expect(Object.keys(ENTITY_QUERY_KEYS).sort()).toEqual([
      'count',
      'crate',
      'import',
      'legal_hold',
      'location',
      'notification',
      'request',
      'sendback',
    ]);
  });

  it('backs off exponentially up to 30 s', () => {
    const half = () => 0.5;
    expect(backoffDelay(0, half)).toBe(1000);
    expect(backoffDelay(1, half)).toBe(2000);
    expect(backoffDelay(3, half)).toBe(8000);
    expect(backoffDelay(10, half)).toBe(30000);
  });
});

describe('WebSocketProvider', () => {
  beforeEach(() => {
    FakeSocket.instances = [];
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('connects with a ticket and invalidates the mapped queries on entity.changed', async () => {
    const { invalidate } = setup();
    await act(async () => {});
    expect(FakeSocket.instances).toHaveLength(1);
    expect(FakeSocket.instances[0].url).toBe('ws://test/ws/updates/?ticket=t1');
    act(() => FakeSocket.instances[0].open());
    expect(screen.getByTestId('state').textContent).toBe('open');

    act(() => FakeSocket.instances[0].emit(event('request')));
    const keys = invalidate.mock.calls.map(([filters]) => filters?.queryKey);
    expect(keys).toEqual([['requests'], ['dashboard'], ['sendbacks']]);
  });

  it('refreshes retention dates when a schedule recompute finishes, not while it runs', async () => {
    const { invalidate } = setup();
    await act(async () => {});
    act(() => FakeSocket.instances[0].open());
    const progress = { type: 'retention.progress', id: 3, document_type: 1, total: 10 };

    act(() => FakeSocket.instances[0].emit({ ...progress, status: 'running', done: 5 }));
    expect(invalidate).not.toHaveBeenCalled();

    act(() => FakeSocket.instances[0].emit({ ...progress, status: 'done', done: 10 }));
    const keys = invalidate.mock.calls.map(([filters]) => filters?.queryKey);
    expect(keys).toEqual([
      ['retention-recomputes'],
      ['document-types'],
      ['crates'],
      ['documents'],
      ['disposition'],
      ['dashboard'],
    ]);
  });

  it('reconnects with backoff and a new ticket after the socket closes', async () => {
    const { fetchTicket } = setup();
    await act(async () => {});
    act(() => FakeSocket.instances[0].open());

    act(() => FakeSocket.instances[0].serverClose(1006));
    expect(screen.getByTestId('state').textContent).toBe('reconnecting');
    expect(FakeSocket.instances).toHaveLength(1);

    await act(async () => {
      await vi.advanceTimersByTimeAsync(1300);
    });
    expect(FakeSocket.instances).toHaveLength(2);
    expect(fetchTicket).toHaveBeenCalledTimes(2);
    expect(FakeSocket.instances[1].url).toBe('ws://test/ws/updates/?ticket=t2');
    act(() => FakeSocket.instances[1].open());
    expect(screen.getByTestId('state').textContent).toBe('open');
  });

  it('keeps retrying when the ticket cannot be fetched', async () => {
    const fetchTicket = vi.fn().mockRejectedValueOnce(new Error('offline')).mockResolvedValue('t9');
    setup(fetchTicket);
    await act(async () => {});
    expect(screen.getByTestId('state').textContent).toBe('reconnecting');
    await act(async () => {
      await vi.advanceTimersByTimeAsync(1300);
    });
    expect(FakeSocket.instances).toHaveLength(1);
    expect(FakeSocket.instances[0].url).toContain('ticket=t9');
  });

  it('toasts when the watched object changes, except right after a change made here', async () => {
    toasts.length = 0;
    setup();
    await act(async () => {});
    act(() => FakeSocket.instances[0].open());
    act(() => FakeSocket.instances[0].emit({ ...event('request'), id: 8 }));
    expect(toasts).toEqual([]);
    act(() => FakeSocket.instances[0].emit(event('request')));
    expect(toasts).toEqual(['REQ-2026-000007 was updated: now approved']);
    act(() => screen.getByRole('button', { name: 'local change' }).click());
    act(() => FakeSocket.instances[0].emit(event('request')));
    expect(toasts).toHaveLength(1);
  });

  it('sends ping to keep the connection alive', async () => {
    setup();
    await act(async () => {});
    act(() => FakeSocket.instances[0].open());
    await act(async () => {
      await vi.advanceTimersByTimeAsync(25_000);
    });
    expect(FakeSocket.instances[0].sent).toContain(JSON.stringify({ type: 'ping' }));
  });
});
