// `npm test` runs every project's tests in one jest run.
module.exports = {
  projects: ['<rootDir>/libs/ingest', '<rootDir>/libs/nas', '<rootDir>/apps/trainer', '<rootDir>/tools', '<rootDir>/test'],
};
