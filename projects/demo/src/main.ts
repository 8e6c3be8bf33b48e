import { bootstrapApplication } from '@angular/platform-browser';

import { App } from './app/app';
import { appConfig } from './app/app.config';
import { loadDemoSettings } from './app/settings';

// Settings are read (and URL overrides applied) before bootstrap: provideAuth() needs them.
const settings = loadDemoSettings(window);

bootstrapApplication(App, appConfig(settings)).catch((error: unknown) => {
  // A configuration error (AuthError invalid_config) ends up here; show it instead of a blank page.
  console.error(error);
  const pre = document.createElement('pre');
  pre.className = 'fatal';
  pre.setAttribute('data-testid', 'bootstrap-error');
  pre.textContent = `The app failed to start:\n${error instanceof Error ? error.message : String(error)}`;
  document.body.append(pre);
});
