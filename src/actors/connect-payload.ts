/** What a client sent with its namespace CONNECT: a query string (2.x) or an auth object (4.x). */
export interface ConnectPayload {
  query?: string;
  auth?: Record<string, unknown>;
}
