/** Version of the agent channel protocol. The server accepts agents whose major matches. */
export const PROTOCOL_VERSION = 1;
/** Product version, shared by server, agent and CLI. */
export const FLOTILLA_VERSION = '0.1.0';
