// `npm test` runs every project's tests in one jest run.
module.exports = {
  passWithNoTests: true,
  // the projects' own testTimeout does not reach a multi-project run; this one does
  testTimeout: 60000,
  projects: [
    '<rootDir>/libs/base',
    '<rootDir>/libs/ingest',
    '<rootDir>/libs/nas',
    '<rootDir>/libs/sample',
    '<rootDir>/apps/trainer',
    '<rootDir>/apps/viewer',
    '<rootDir>/tools',
    '<rootDir>/test',
  ],
};
