module.exports = { ...require('../../jest.preset.js'), displayName: 'sample', rootDir: __dirname };
