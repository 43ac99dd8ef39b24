/**
 * Version of the agent channel protocol this build speaks. 2: run and step failures are
 * `{code, message, retryable, step?}` objects (1 sent `"CODE: message"` text).
 */
export const PROTOCOL_VERSION = 2;
/**
 * The oldest agent protocol the control plane still accepts. Version 1 agents are served: their
 * text failures are converted (`failureFromText`). An agent newer than its control plane is
 * refused with `PROTOCOL_VERSION_UNSUPPORTED` (upgrade the control plane first).
 */
export const MIN_AGENT_PROTOCOL_VERSION = 1;
/** Product version, shared by server, agent and CLI. */
export const FLOTILLA_VERSION = '0.1.0';
