import { HttpErrorResponse } from '@angular/common/http';
import { isAuthError } from 'ngx-spa-auth';

/** 14:03:07.123 */
export function clockTime(epochMs: number): string {
  const d = new Date(epochMs);
  const pad = (n: number, w = 2) => String(n).padStart(w, '0');
  return `${pad(d.getHours())}:${pad(d.getMinutes())}:${pad(d.getSeconds())}.${pad(d.getMilliseconds(), 3)}`;
}

/** A short, stable description of why a call failed: `401`, `auth:session_expired`, `network`. */
export function failureKind(error: unknown): string {
  if (isAuthError(error)) return `auth:${error.code}`;
  if (error instanceof HttpErrorResponse)
    return error.status === 0 ? 'network' : String(error.status);
  return error instanceof Error ? error.name : 'error';
}

export function failureText(error: unknown): string {
  if (isAuthError(error)) return `AuthError ${error.code}: ${error.message}`;
  if (error instanceof HttpErrorResponse) {
    const body = error.error as { error?: string; error_description?: string } | null;
    const detail =
      body && typeof body === 'object' && body.error
        ? ` ${body.error}${body.error_description ? ` (${body.error_description})` : ''}`
        : '';
    return error.status === 0 ? 'network error (no response)' : `HTTP ${error.status}${detail}`;
  }
  return error instanceof Error ? error.message : String(error);
}
