// `npm test` runs every project's tests in one jest run.
module.exports = {
  passWithNoTests: true,
  projects: ['<rootDir>/libs/ingest', '<rootDir>/libs/nas', '<rootDir>/apps/trainer', '<rootDir>/tools', '<rootDir>/test'],
};
