export { HttpClient } from './http-client.js';
export type { HttpClientOptions, RequestOptions } from './http-client.js';
export { FlotillaClient } from './flotilla-client.js';
export type { WaitForJobOptions } from './flotilla-client.js';
export type { FollowJobOptions } from './job-follow.js';
export { allPages } from './all-pages.js';
export { SseParser } from './sse-parser.js';
export type { SseEvent } from './sse-parser.js';
