// Piscina worker bootstrap: plain node loads the TypeScript task module through tsx.
require('#runtime/register');
module.exports = require('./worker.ts');
