import { Rule, SchematicContext, SchematicsException, Tree } from '@angular-devkit/schematics';
import { isStandaloneApp, getAppModulePath } from '@schematics/angular/utility/ng-ast-utils';
import { getMainFilePath } from '@schematics/angular/utility/standalone/util';
import { readWorkspace } from '@schematics/angular/utility';

import { validateOptions } from './options';
import { NgAddOptions } from './schema';
import { setUpNgModule } from './ngmodule';
import { setUpStandalone } from './standalone';

/**
 * `ng add ngx-spa-auth`: checks the issuer, client id and API URL, then sets the library up in the
 * app's root — `provideAuth` + `authInterceptor` (standalone) or `AuthModule.forRoot` +
 * `AuthInterceptor` (NgModule). Running it again changes nothing. The CLI has already put
 * ngx-spa-auth in the dependencies (`ng-add.save` in the library's package.json).
 */
export function ngAdd(options: NgAddOptions): Rule {
  return async (tree: Tree, _context: SchematicContext) => {
    const setup = validateOptions(options);
    const project = options.project ?? (await defaultProject(tree));
    const mainPath = await getMainFilePath(tree, project);
    return isStandaloneApp(tree, mainPath)
      ? setUpStandalone(project, mainPath, setup)
      : setUpNgModule(getAppModulePath(tree, mainPath), setup);
  };
}

/** The only application of the workspace, when `--project` is not given. */
async function defaultProject(tree: Tree): Promise<string> {
  const workspace = await readWorkspace(tree);
  const apps = [...workspace.projects].filter(
    ([, project]) => project.extensions['projectType'] === 'application',
  );
  if (apps.length !== 1) {
    throw new SchematicsException(
      `Pass --project: this workspace has ${apps.length} applications (${apps.map(([name]) => name).join(', ')}).`,
    );
  }
  return apps[0][0];
}
