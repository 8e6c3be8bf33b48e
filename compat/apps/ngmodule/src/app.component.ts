// The NgModule fixture app's components: the shared header and API page (../../shared/src/pages.ts)
// as components declared in AppModule.
import { ChangeDetectionStrategy, Component } from '@angular/core';

import { API_PAGE_TEMPLATE, ApiPageBase, Header, HEADER_TEMPLATE } from '../../shared/src/pages';

/** Declared in AppModule. */
@Component({
  selector: 'app-root',
  standalone: false,
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: HEADER_TEMPLATE,
})
export class AppComponent extends Header {}

/** Guarded by the AuthGuard class; its calls go through the AuthInterceptor class. */
@Component({
  selector: 'app-api',
  standalone: false,
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: API_PAGE_TEMPLATE,
})
export class ApiComponent extends ApiPageBase {}
