/** Options of the `ng-add` schematic (see schema.json). */
export interface NgAddOptions {
  /** The application to set up; the workspace's default project when omitted. */
  project?: string;
  issuer: string;
  clientId: string;
  apiUrl: string;
  scope?: string;
}
