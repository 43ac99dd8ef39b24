/**
 * What carries the agent channel's frames between two ends: a WebSocket in production
 * (`WebSocketTransport` in the agent), a linked in-memory pair in tests
 * (`createLinkedTransports`). The model is the MCP SDK's `Transport`: the code that speaks the
 * protocol (handshake, liveness, offers, events) is written once against this seam and does not
 * know which one it has.
 *
 * A transport is one connection: it is open when handed over, and once closed it stays closed
 * (reconnecting means a new transport). Messages are text one way and bytes the other, as on a
 * WebSocket: the sender has the frame's JSON text; the receiver gets the bytes as they arrived,
 * so that `decodeAgentFrame` / `decodeServerFrame` can check the size before anything else.
 */
export interface Transport {
  /**
   * Sends one text message. Returns false, sending nothing, once the transport is closing or
   * closed; messages are delivered in the order sent.
   */
  send(text: string): boolean;
  /**
   * Sets the receiver of the peer's messages (one receiver; set it before the peer can speak).
   * `binary` marks a binary message, which the protocol does not use.
   */
  onMessage(receiver: (data: Uint8Array, binary: boolean) => void): void;
  /**
   * Sets what learns of the end of the transport, whoever ended it: called once, after the last
   * message, with the close code and reason (1006 when the connection dropped without either).
   */
  onClose(receiver: (code: number, reason: string) => void): void;
  /**
   * Ends the transport with `code` and `reason`, which the peer receives; resolves once it is
   * closed. `ChannelCloseCode.abnormal` (1006, never sent on the wire) drops the connection at
   * once without a closing handshake: for a peer that is dead, silent, or must not be waited for.
   */
  close(code: number, reason?: string): Promise<void>;
}
