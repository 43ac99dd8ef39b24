export { HttpClient } from './http-client.js';
export type { HttpClientOptions, RequestOptions } from './http-client.js';
export { FlotillaClient } from './flotilla-client.js';
export type { WaitForJobOptions } from './flotilla-client.js';
