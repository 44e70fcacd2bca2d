module.exports = { ...require('../../jest.preset.js'), displayName: 'nas', rootDir: __dirname };
