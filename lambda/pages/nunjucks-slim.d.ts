/** nunjucks' runtime without its compiler: renders precompiled templates only (`compile.ts` makes them). */
declare module 'nunjucks/browser/nunjucks-slim.js' {
  import nunjucks = require('nunjucks');
  export = nunjucks;
}
