// The standalone fixture app's components: the shared header and API page (../../shared/src/pages.ts)
// as standalone components.
import { ChangeDetectionStrategy, Component } from '@angular/core';
import { RouterOutlet } from '@angular/router';

import { API_PAGE_TEMPLATE, ApiPageBase, Header, HEADER_TEMPLATE } from '../../shared/src/pages';

@Component({
  selector: 'app-root',
  imports: [RouterOutlet],
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: HEADER_TEMPLATE,
})
export class App extends Header {}

/** Guarded by authGuard; its calls go through authInterceptor. */
@Component({
  selector: 'app-api-page',
  changeDetection: ChangeDetectionStrategy.OnPush,
  template: API_PAGE_TEMPLATE,
})
export class ApiPage extends ApiPageBase {}
