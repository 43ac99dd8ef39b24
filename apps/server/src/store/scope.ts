/** The tenant and project a request acts in; every project-scoped query filters on both. */
export interface Scope {
  readonly tenantId: string;
  readonly projectId: string;
}
