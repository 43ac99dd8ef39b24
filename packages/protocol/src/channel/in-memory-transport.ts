import { ChannelCloseCode } from '../agent-channel.js';
import type { Transport } from './transport.js';

type Delivery = { readonly data: Uint8Array } | { readonly code: number; readonly reason: string };

const utf8 = new TextEncoder();

/**
 * One end of a linked in-memory pair. Delivery is asynchronous (a microtask per message) and in
 * order, as over a socket, so neither end is re-entered from its own `send`. Messages arrive as
 * their UTF-8 bytes, so the receiving end decodes them exactly as it decodes a WebSocket's.
 */
class InMemoryTransport implements Transport {
  #peer: InMemoryTransport | undefined;
  #open = true;
  /** What arrived before a receiver was set, in order. */
  #held: Delivery[] = [];
  #onMessage: ((data: Uint8Array, binary: boolean) => void) | undefined;
  #onClose: ((code: number, reason: string) => void) | undefined;
  #closed = false;

  link(peer: InMemoryTransport): void {
    this.#peer = peer;
  }

  send(text: string): boolean {
    if (!this.#open || this.#peer === undefined) return false;
    this.#peer.#deliver({ data: utf8.encode(text) });
    return true;
  }

  onMessage(receiver: (data: Uint8Array, binary: boolean) => void): void {
    this.#onMessage = receiver;
    this.#release();
  }

  onClose(receiver: (code: number, reason: string) => void): void {
    this.#onClose = receiver;
    this.#release();
  }

  close(code: number, reason = ''): Promise<void> {
    if (this.#open) {
      // Both ends stop sending at once; what was sent before still arrives, then the close.
      const end = { code, reason: code === ChannelCloseCode.abnormal ? '' : reason };
      this.#open = false;
      const peer = this.#peer;
      if (peer !== undefined) {
        peer.#open = false;
        peer.#deliver(end);
      }
      this.#deliver(end);
    }
    return new Promise((resolve) => {
      queueMicrotask(resolve);
    });
  }

  #deliver(delivery: Delivery): void {
    queueMicrotask(() => {
      this.#held.push(delivery);
      this.#release();
    });
  }

  #release(): void {
    while (this.#held.length > 0 && !this.#closed) {
      const next = this.#held[0];
      if (next === undefined) return;
      if ('data' in next) {
        if (this.#onMessage === undefined) return;
        this.#held.shift();
        this.#onMessage(next.data, false);
      } else {
        if (this.#onClose === undefined) return;
        this.#held.shift();
        this.#closed = true;
        this.#onClose(next.code, next.reason);
      }
    }
  }
}

/**
 * Two linked in-memory transports: what one sends, the other receives. For tests, in the way of
 * the MCP SDK's `InMemoryTransport.createLinkedPair()`: give one end to the code under test (an
 * agent's connection) and speak the protocol on the other, with no socket or port involved.
 */
export function createLinkedTransports(): [Transport, Transport] {
  const a = new InMemoryTransport();
  const b = new InMemoryTransport();
  a.link(b);
  b.link(a);
  return [a, b];
}
