// Commit messages follow Conventional Commits (`feat(refresh): …`); `npm run lint:commits` checks
// the history in `npm test`. `bench` is this project's type for benchmark-only changes; subjects
// may start with a proper noun (`DPoP`, `NgModule`), so subject case is not checked.
import conventional from '@commitlint/config-conventional';

const [level, when, types] = conventional.rules['type-enum'];

export default {
  extends: ['@commitlint/config-conventional'],
  rules: {
    'type-enum': [level, when, [...types, 'bench']],
    'subject-case': [0],
    'header-max-length': [1, 'always', 100],
    'body-max-line-length': [0],
    'footer-max-line-length': [0],
  },
};
